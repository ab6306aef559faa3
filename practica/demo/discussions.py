"""Demo discussions for ``manage.py seed_demo``: questions (answered, accepted, and a few still waiting for a
first reply), discussions and ideas in each demo community, written through the services — indexed, counted
and notified as any other — then dated over the past months, so that the lists, the unheard queue, search,
related threads, "Who knows about…?" and the health dashboard have something to show without the Stack
Exchange dump. Idempotent: a thread that exists (by community and title) is left as it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Role
from practica.discussions import services
from practica.discussions.models import Comment, Post, Thread, ThreadKind

Q, D, IDEA = ThreadKind.QUESTION, ThreadKind.DISCUSSION, ThreadKind.IDEA


@dataclass(frozen=True)
class Reply:
    author: str
    body: str
    hours: float  # after the thread was started
    accepted: bool = False
    votes: tuple[str, ...] = ()
    comments: tuple[tuple[str, str], ...] = ()  # (author, text), each an hour after the reply


@dataclass(frozen=True)
class DemoThread:
    community: str
    kind: str
    author: str
    title: str
    body: str
    tags: tuple[str, ...]
    days_ago: float
    replies: tuple[Reply, ...] = ()
    votes: tuple[str, ...] = ()  # on the opening post
    idea_status: tuple[str, str] = ("", "")  # (status, reason), set by a coordinator


R = Reply
T = DemoThread

DEMO_THREADS: tuple[DemoThread, ...] = (
    # --- Well integrity (members only) ---------------------------------------------------------------
    T("well-integrity", Q, "kwame.asante", "How long should we wait on cement before the casing pressure test?",
      "Our rig plan gives a fixed 8 hours of wait-on-cement before testing the 9⅝\" casing. On the last well the "
      "test passed, but six weeks later we had sustained pressure on the B-annulus. Is 8 hours a sensible rule, or "
      "should the wait depend on the slurry?", ("Cementing", "Well integrity"), 290,
      (R("ingrid.solberg", "Take the wait from the ultrasonic cement analyser (UCA) curve of *your* slurry at "
         "bottom-hole temperature: test only once the sheath has reached about 500 psi compressive strength. A "
         "fixed clock ignores retarders and temperature; in an HPHT section 8 hours can be far too short.", 3,
         accepted=True, votes=("kwame.asante", "chinedu.okonkwo", "emily.tran", "demo"),
         comments=(("kwame.asante", "Thanks — the lab ran the UCA at 120 °C and it needed 14 hours."),)),
       R("chinedu.okonkwo", "Same lesson here. An early test can debond the young sheath and open a micro-annulus; "
         "a cement bond log afterwards usually shows it.", 5, votes=("ingrid.solberg",))),
      votes=("ingrid.solberg", "ravi.venkataraman")),
    T("well-integrity", Q, "emily.tran", "Early signs of a kick while tripping out of the hole",
      "During a trip out we saw a small pit gain that the trip tank did not explain. The driller flow-checked and "
      "it was static, so we carried on. What do experienced crews watch for while tripping, and when do you shut "
      "in rather than flow-check again?", ("Well control",), 240,
      (R("tariq.al-mansouri", "Compare the trip sheet with the calculated hole fill after every stand, not every "
         "five. A trend of the hole taking less than calculated is your earliest sign; swabbing shows up there "
         "before the pit gain does. If a flow check is doubtful, shut in: a shut-in costs minutes, a kick that "
         "grows costs days.", 2, accepted=True, votes=("emily.tran", "malcolm.fraser", "demo")),
       R("malcolm.fraser", "Also watch the pulling speed on the first stands off bottom. We cut our swab-related "
         "gains by half with a speed limit in the open hole.", 4, votes=("tariq.al-mansouri",))),
      votes=("tariq.al-mansouri",)),
    T("well-integrity", Q, "luciana.ferreira", "Sustained casing pressure on an old producer: bleed down or repair?",
      "A 20-year-old producer shows 300 psi on the B-annulus that builds back within a day after a bleed-down. "
      "The operator's standard says bleed and monitor. When would you go for a repair instead?",
      ("Barrier management", "Well integrity"), 180,
      (R("ingrid.solberg", "The build-up rate after the bleed-down tells you more than the pressure itself. "
         "Fast build-up means a connected source; plot it each time and compare with the maximum allowable "
         "annulus surface pressure. Repair when the trend approaches it, or when the fluid you bleed changes.", 6,
         accepted=True, votes=("luciana.ferreira", "aigerim.bekova")),
       R("aigerim.bekova", "Sample what comes out. Gas composition told us the source was a shallow zone, not the "
         "reservoir, which changed the whole repair plan.", 20, votes=("luciana.ferreira",))),
      ),
    T("well-integrity", D, "chinedu.okonkwo", "Lessons from our last plug and abandonment campaign",
      "We abandoned eleven wells this year. Three things we would do again: logging the cement behind casing "
      "before choosing where to set plugs, a pressure test *and* a tag on every cement plug, and one barrier "
      "schematic per well reviewed by the regulator early. What did your campaigns teach you?",
      ("Plug and abandonment",), 120,
      (R("siobhan.keane", "We underestimated the time to cut and pull casing where the cement behind it was "
         "poor. Budget for it from the logs, not from the plan.", 30, votes=("chinedu.okonkwo",)),
       R("ravi.venkataraman", "Keep the records of every plug in one place from day one — the regulator asked "
         "for them two years later.", 50)),
      votes=("siobhan.keane", "demo", "ingrid.solberg")),
    T("well-integrity", IDEA, "ravi.venkataraman", "A shared library of cement bond log examples",
      "Interpreting bond logs is learnt by seeing many of them. Could each company contribute a few anonymised "
      "examples — good bond, micro-annulus, channels — with what was found afterwards?",
      ("Cementing",), 75,
      (R("ingrid.solberg", "Yes, and add the slurry design and the wait-on-cement time to each one.", 8),),
      votes=("ingrid.solberg", "kwame.asante", "emily.tran"), idea_status=("planned", "Starting with four "
      "examples per company at the next monthly call.")),
    T("well-integrity", Q, "aigerim.bekova", "Managed pressure drilling: how do you verify the barrier envelope?",
      "With MPD the primary barrier is the fluid column *plus* the surface back-pressure. How do you document "
      "and test that envelope before drilling ahead, and who signs it off?",
      ("Managed pressure drilling", "Barrier management"), 21,
      (R("tariq.al-mansouri", "We treat the rotating control device and the MPD choke as barrier elements with "
         "their own acceptance tests, written into the barrier schematic for that section.", 10),)),
    T("well-integrity", Q, "kwame.asante", "Which drilling fluid properties do you check before a cement job?",
      "Before the last job the mud had a high yield point and the spacer could not displace it. Which mud "
      "properties do you condition before cementing, and to what targets?", ("Drilling fluids", "Cementing"), 2.5),
    # --- Formative assessment in mathematics (public) -----------------------------------------------
    T("formative-assessment-maths", Q, "tomas.herrera", "Hinge questions for equivalent fractions",
      "I teach grade 5. I want one multiple-choice question in the middle of the lesson that tells me in thirty "
      "seconds who still thinks 2/3 and 4/5 are \"the same because the gap is one\". Does anyone have one "
      "that works?", ("Misconceptions", "Number sense"), 260,
      (R("priya.raman", "Try: *Which fraction is equal to 2/3? A) 3/4 B) 4/6 C) 5/6 D) 4/5*. Each wrong "
         "answer maps to a misconception: A and D are \"add one to both\", C is \"same gap\". Ask for answers "
         "on fingers, then group the A-and-D students for the next ten minutes.", 5, accepted=True,
         votes=("tomas.herrera", "daniel.osei", "aroha.ngata", "sophie.laurent"),
         comments=(("tomas.herrera", "Used it today: 9 of 27 chose D. The regrouping worked."),)),
       R("daniel.osei", "Keep the question on the board for the exit ticket too — you see who moved.", 8,
         votes=("priya.raman",))),
      votes=("priya.raman", "maria.gonzalez")),
    T("formative-assessment-maths", D, "maria.gonzalez", "Mini-whiteboards every lesson: what made it stick?",
      "Several of us started using mini-whiteboards this term. What routines made them work in your class, and "
      "what got in the way?", ("Formative assessment", "Questioning"), 200,
      (R("aroha.ngata", "\"Show me\" on a count of three, everyone at once, boards held until I nod. Without the "
         "simultaneous reveal the quick students answer for the class.", 10, votes=("maria.gonzalez", "ethan.brooks")),
       R("ethan.brooks", "Pens run out — keep a box on each table and one student in charge of it.", 26),
       R("wei-ling.lim", "I photograph three boards a lesson. They are the best record of misconceptions I have.", 40,
         votes=("maria.gonzalez",))),
      votes=("daniel.osei",)),
    T("formative-assessment-maths", Q, "fatima-zahra.benali", "Students say x + 3 = 3x — how do you respond?",
      "In grade 8 algebra, a third of the class simplified x + 3 to 3x on the exit ticket. Re-explaining did "
      "not help. What activities actually shift this misconception?", ("Algebra", "Misconceptions"), 150,
      (R("daniel.osei", "Substitution makes it visible: ask them to test x + 3 = 3x with x = 2 and x = 5. When "
         "their own numbers disagree, the rule breaks for them, not because you said so.", 4, accepted=True,
         votes=("fatima-zahra.benali", "priya.raman", "grace.wanjiru")),
       R("sophie.laurent", "Algebra tiles helped mine: x and 3 ones cannot be collected into three x tiles.", 30)),
      votes=("daniel.osei",)),
    T("formative-assessment-maths", Q, "grace.wanjiru", "Exit tickets: how many questions, and what do you do next day?",
      "My exit tickets have four questions and I rarely manage to use the answers the next morning. How short "
      "can they be and still be useful?", ("Feedback", "Formative assessment"), 90,
      (R("maria.gonzalez", "One question, sorted into three piles in two minutes: got it, nearly, not yet. The "
         "next lesson starts with a task for each pile.", 6, accepted=True, votes=("grace.wanjiru", "ethan.brooks")),
       R("wei-ling.lim", "Write the question before the lesson, together with what you will do for each pile.", 28)),
      ),
    T("formative-assessment-maths", IDEA, "priya.raman", "A shared bank of tested hinge questions by grade",
      "Each of us has a few hinge questions that work. A shared bank — one page per question, with the "
      "misconception each wrong answer reveals and the results from real classes — would save everyone time.",
      ("Formative assessment",), 60,
      (R("laura.bennett", "The school network will support this: we can give two afternoons for a writing day.", 12,
         votes=("priya.raman",)),),
      votes=("maria.gonzalez", "tomas.herrera", "daniel.osei", "aroha.ngata"),
      idea_status=("under-review", "Discussing the format at the next lesson study meeting.")),
    T("formative-assessment-maths", Q, "ethan.brooks", "Lesson study on questioning: how do you choose the research lesson?",
      "Our department wants to try lesson study with a focus on questioning. How did you pick the first research "
      "lesson, and how many observers is too many?", ("Lesson study", "Questioning"), 4),
    # --- Patient safety (private) ------------------------------------------------------------------
    T("patient-safety", Q, "jack.thompson", "Insulin omissions at shift change: what reduced them for you?",
      "Our incident reports show insulin doses missed when the evening shift takes over at 19:30, usually when "
      "a patient is off the ward at dose time. What has worked elsewhere?",
      ("Medication errors", "Clinical handover"), 230,
      (R("niamh.gallagher", "We added insulin status as a fixed line in the SBAR handover (\"given / due / held, "
         "and why\") and a red magnet on the whiteboard for patients off the ward at dose time. Omissions fell "
         "by about two thirds over six months.", 5, accepted=True,
         votes=("jack.thompson", "mei.chen", "amara.nwosu", "isabel.ortiz")),
       R("rahul.mehta", "From pharmacy: make the electronic chart show an overdue insulin dose in red after "
         "30 minutes. Nurses told us the list view hid it.", 9, votes=("niamh.gallagher",))),
      votes=("niamh.gallagher",)),
    T("patient-safety", D, "amara.nwosu", "SBAR in practice: where does it break down?",
      "Everyone has been trained in SBAR, yet handover incidents keep coming back. Where have you seen it break "
      "down in practice?", ("SBAR", "Clinical handover"), 170,
      (R("mei.chen", "The Recommendation is the part that goes missing — people describe the situation well "
         "and stop.", 12, votes=("amara.nwosu", "isabel.ortiz")),
       R("oluwaseun.bakare", "Phone handovers to the on-call doctor at night: no read-back, so nobody notices what "
         "was not heard.", 20, votes=("mei.chen",)),
       R("yusuf.demir", "Handovers done at the nurses' station while the call bells ring. We moved ours to a quiet "
         "room and the questions doubled.", 33)),
      votes=("niamh.gallagher", "rahul.mehta")),
    T("patient-safety", Q, "isabel.ortiz", "Medication reconciliation at discharge with a weekend pharmacy gap",
      "Our pharmacy team is not on the wards at weekends, and discharge letters leave with incomplete medicine "
      "lists. How do other hospitals cover reconciliation on Saturdays and Sundays?",
      ("Medication reconciliation",), 100,
      (R("rahul.mehta", "We trained a group of senior nurses to do the reconciliation with a checklist and a "
         "pharmacist on call for questions. The pharmacist checks the letters on Monday; errors found dropped "
         "to the weekday level within three months.", 7, accepted=True, votes=("isabel.ortiz", "amara.nwosu")),),
      ),
    T("patient-safety", IDEA, "niamh.gallagher", "A just-culture review of our medication incident reports",
      "Our incident reports still name the nurse in the first line. I propose we review last year's medication "
      "incidents together and rewrite the reporting template around the system, not the person.",
      ("Incident reporting", "Patient safety"), 45,
      (R("helen.carter", "Supported. I will bring it to the patient safety board next month.", 14,
         votes=("niamh.gallagher", "amara.nwosu")),),
      votes=("amara.nwosu", "mei.chen", "jack.thompson"), idea_status=("planned", "On the board's agenda for January.")),
    T("patient-safety", Q, "yusuf.demir", "Double-checking anticoagulant doses: independent or together?",
      "Our policy asks for a second nurse to check heparin infusions. In practice the second nurse often reads "
      "the chart with the first. Has anyone made truly independent double checks work on a busy ward?",
      ("Medication errors", "Patient safety"), 3),
    # --- Platform engineering (public) ---------------------------------------------------------------
    T("platform-engineering", Q, "camila.souza", "Kubernetes pods stuck in CrashLoopBackOff after a node upgrade",
      "After upgrading our node pool, a third of the pods of one service go into CrashLoopBackOff. The logs only "
      "show the process exiting with code 137. Where would you look first?", ("Kubernetes",), 250,
      (R("lukas.becker", "Exit code 137 is SIGKILL — almost always the OOM killer. The new node image probably "
         "changed the cgroup version, and your JVM reads the memory limit differently under cgroup v2. Check "
         "`kubectl describe pod` for `OOMKilled` and set the heap from the container limit.", 2, accepted=True,
         votes=("camila.souza", "yuki.tanaka", "noah.williams", "demo"),
         comments=(("camila.souza", "That was it: cgroup v2 and an old JDK. Upgrading the base image fixed it."),)),
       R("yuki.tanaka", "Add a memory limit alert at 90% so you see it before the kills start.", 5,
         votes=("lukas.becker",))),
      votes=("lukas.becker",)),
    T("platform-engineering", Q, "noah.williams", "How do you set the first SLOs for a service nobody measured?",
      "We want service level objectives for our internal API, but we have no history beyond CPU graphs. How did "
      "you pick the first targets without making them up?", ("Observability",), 210,
      (R("sarah.kim", "Measure first, promise later: put the SLIs (success rate, latency at p95) on a dashboard for "
         "four weeks, then set the SLO slightly below what you actually achieved. Review it after a quarter with "
         "the teams that call you.", 6, accepted=True, votes=("noah.williams", "omar.farouk", "arjun.nair")),
       R("omar.farouk", "And write down what happens when you miss it — an SLO without an error budget policy "
         "is a graph.", 11, votes=("sarah.kim", "noah.williams"))),
      votes=("sarah.kim", "piotr.nowak")),
    T("platform-engineering", D, "arjun.nair", "Golden paths: how opinionated should the platform be?",
      "Our golden path for new services covers Java and Go. Teams using Python feel left out; teams on the path "
      "ask for more options. Where do you draw the line?", ("Internal developer platform", "Developer experience"),
      160,
      (R("yuki.tanaka", "Paved, not fenced: the golden path is the easy way, not the only way. We support two "
         "stacks fully and publish the contract (build, deploy, observe) any other stack must meet.", 8,
         votes=("arjun.nair", "zanele.dlamini", "piotr.nowak")),
       R("zanele.dlamini", "Count who leaves the path and why, every quarter. That is your roadmap.", 30,
         votes=("yuki.tanaka",))),
      votes=("michael.obrien", "sarah.kim")),
    T("platform-engineering", Q, "piotr.nowak", "Terraform state for 40 teams: one backend or many?",
      "We keep all Terraform state in one bucket with one lock table, and plans are getting slow and risky. How "
      "do other platform teams split state?", ("Infrastructure as code",), 110,
      (R("lukas.becker", "One state per team and environment, with a shared module registry. Cross-team values "
         "go through remote state data sources or, better, through outputs published to a parameter store.", 5,
         accepted=True, votes=("piotr.nowak", "camila.souza")),),
      ),
    T("platform-engineering", D, "sarah.kim", "Our first blameless post-incident review: what we changed",
      "After the payment outage we ran our first blameless review. We asked \"what made this action reasonable "
      "at the time?\" instead of \"who did this?\", and found three gaps in our runbooks. What made your reviews "
      "stick?", ("Incident response",), 80,
      (R("omar.farouk", "Publishing the review to the whole company within a week. People started reading "
         "them like stories.", 12, votes=("sarah.kim", "michael.obrien")),
       R("camila.souza", "Tracking the actions to done. Our first reviews produced lists nobody followed up.", 40)),
      votes=("arjun.nair", "omar.farouk", "demo")),
    T("platform-engineering", IDEA, "zanele.dlamini", "Measure developer experience with a quarterly survey",
      "We argue about developer experience from anecdotes. A short quarterly survey — the same ten questions "
      "each time — plus lead time and deployment frequency would give us trends.", ("Developer experience",), 35,
      (R("arjun.nair", "Let's start with the DORA metrics we already have and add the survey in January.", 20),),
      votes=("noah.williams", "yuki.tanaka"), idea_status=("under-review", "Drafting the ten questions with two product teams.")),
    T("platform-engineering", Q, "omar.farouk", "CI pipelines got 40% slower after moving to ephemeral runners",
      "We moved CI to ephemeral runners on Kubernetes for isolation. Builds are now 40% slower, mostly in "
      "dependency downloads. How do you keep caches warm with runners that live for one job?", ("CI/CD",), 1.5),
    # --- Human factors (public) -------------------------------------------------------------------------
    T("human-factors", D, "siobhan.keane", "Fatigue on night shifts: what works offshore, on wards and on call?",
      "Offshore we limit consecutive night shifts and plan the hardest tasks away from 03:00–05:00. What do "
      "hospitals and on-call engineering teams do about fatigue?", ("Fatigue risk management", "Human factors"), 140,
      (R("niamh.gallagher", "Protected breaks, and a rule that high-risk drug calculations at night are checked "
         "by a second person.", 9, votes=("siobhan.keane", "alistair.grant")),
       R("sarah.kim", "We moved on-call to a follow-the-sun rotation between Sofia and Mexico City, so nobody "
         "is paged at night except in real emergencies.", 20, votes=("siobhan.keane",))),
      votes=("alistair.grant", "jack.thompson")),
    T("human-factors", Q, "jack.thompson", "How do you investigate an incident without blaming the person?",
      "Our investigations end with \"human error\" and a retraining action. How do other industries get past "
      "the person to the system?", ("Just culture", "Incident investigation"), 55,
      (R("alistair.grant", "Ask what made the action make sense at the time — the goals, the information and the "
         "pressures the person had — and treat \"human error\" as where the investigation starts. The "
         "substitution test helps: would another competent person have done the same?", 7, accepted=True,
         votes=("jack.thompson", "siobhan.keane", "isabel.ortiz", "demo")),),
      votes=("niamh.gallagher",)),
    T("human-factors", Q, "malcolm.fraser", "Crew resource management training for drill crews: worth it?",
      "Aviation-style CRM courses are offered to our drill crews. Has anyone measured whether they changed how "
      "crews speak up?", ("Crew resource management",), 5),
)


def _coordinator(community: Community) -> User | None:
    membership = (
        Membership.objects.filter(community=community, role=Role.COORDINATOR, state=MembershipState.ACTIVE)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user if membership else None


def _vote(post: Post, usernames: tuple[str, ...], users: dict[str, User]) -> None:
    for username in usernames:
        voter = users.get(username)
        if voter is not None and voter.pk != post.author_id:
            services.vote_set(post=post, user=voter)


def _seed_thread(spec: DemoThread, community: Community, users: dict[str, User], now: dt.datetime) -> int:
    """Create one thread with its replies, votes and comments; returns the number of replies (-1: no author)."""
    author = users.get(spec.author)
    if author is None:
        return -1
    thread = services.thread_create(
        community=community, author=author, kind=spec.kind, title=spec.title, body=spec.body, tags=spec.tags
    )
    started = now - dt.timedelta(days=spec.days_ago)
    opening = Post.objects.get(thread=thread, is_opening=True)
    dates: dict[int, dt.datetime] = {opening.pk: started}
    comment_dates: dict[int, dt.datetime] = {}
    _vote(opening, spec.votes, users)
    replies = 0
    for reply in spec.replies:
        writer = users.get(reply.author)
        if writer is None:
            continue
        post = services.post_create(thread=thread, author=writer, body=reply.body)
        replies += 1
        dates[post.pk] = started + dt.timedelta(hours=reply.hours)
        _vote(post, reply.votes, users)
        for n, (username, text) in enumerate(reply.comments, start=1):
            commenter = users.get(username)
            if commenter is not None:
                comment = services.comment_create(post=post, author=commenter, body=text)
                comment_dates[comment.pk] = dates[post.pk] + dt.timedelta(hours=n)
        if reply.accepted:
            services.answer_accept(post=post, actor=author)
    status, reason = spec.idea_status
    coordinator = _coordinator(community)
    if status and coordinator is not None:
        services.idea_status_set(thread=thread, actor=coordinator, status=status, reason=reason)
    _backdate(thread, dates, comment_dates)
    return replies


def _backdate(thread: Thread, dates: dict[int, dt.datetime], comment_dates: dict[int, dt.datetime]) -> None:
    """Give the thread, its posts and comments the demo's dates (the services stamp them now), and its first
    response the service's way from the posts' new dates."""
    for post_id, when in dates.items():
        Post.objects.filter(pk=post_id).update(created_at=when)
    for comment_id, when in comment_dates.items():
        Comment.objects.filter(pk=comment_id).update(created_at=when)
    services._refresh_first_response(thread)
    latest = max([*dates.values(), *comment_dates.values()])
    Thread.objects.filter(pk=thread.pk).update(created_at=min(dates.values()), last_activity_at=latest)


def seed_demo_discussions(*, log: Callable[[str], None] | None = None) -> tuple[int, int]:
    """Create the demo threads that are missing; returns (threads, replies) created."""
    now = timezone.now()
    users = {user.username: user for user in User.objects.filter(is_active=True)}
    threads = replies = 0
    for spec in DEMO_THREADS:
        community = Community.objects.filter(slug=spec.community).first()
        if community is None or Thread.objects.filter(community=community, title=spec.title).exists():
            continue
        added = _seed_thread(spec, community, users, now)
        if added < 0:
            continue
        threads += 1
        replies += added
        if log:
            log(f"Thread “{spec.title}” in {community.slug}: {added} replies.")
    return threads, replies
