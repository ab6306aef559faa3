"""The demo network that ``manage.py seed_demo`` creates: organisations, people and communities of practice.

Everything here is fictional (names, organisations, e-mail addresses at example.org) but drawn from real
practice in well engineering, mathematics teaching, patient safety, platform engineering and human factors,
so the directories, the member backgrounds and the "people who may belong here" view look like a real network.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from practica.communities.models import Role, Stage, Visibility
from practica.people.models import Organization

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "practica-demo"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "practica-admin"
EMAIL_DOMAIN = "example.org"


@dataclass(frozen=True)
class OrgSpec:
    name: str
    kind: str


@dataclass(frozen=True)
class PersonSpec:
    first_name: str
    last_name: str
    organization: str
    discipline: str
    job_title: str
    location: str
    timezone: str
    languages: tuple[str, ...]
    expertise: tuple[str, ...]
    bio: str
    display_name: str = ""
    username_override: str = ""
    email_override: str = ""

    @property
    def name(self) -> str:
        return self.display_name or f"{self.first_name} {self.last_name}"

    @property
    def username(self) -> str:
        return self.username_override or f"{_ascii_slug(self.first_name)}.{_ascii_slug(self.last_name)}"

    @property
    def email(self) -> str:
        return self.email_override or f"{self.username}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class GoalSpec:
    """A demo charter goal: ``metric`` a name of the insights catalogue, with its target."""

    description: str
    metric: str
    target_value: Decimal | None
    due_in_days: int


@dataclass(frozen=True)
class CommunitySpec:
    slug: str
    name: str
    domain: str
    out_of_scope: str
    topics: tuple[str, ...]
    visibility: str
    stage: str
    organizations: tuple[str, ...]
    purpose: str
    goals: tuple[GoalSpec, ...]
    coordinator: str
    # (username, role), in the order they joined.
    members: tuple[tuple[str, str], ...]
    # (username, message): pending requests to join (members-only communities).
    requests: tuple[tuple[str, str], ...] = ()
    # (username, role): pending personal invitations.
    invitations: tuple[tuple[str, str], ...] = ()


def _ascii_slug(text: str) -> str:
    """``Tomás`` -> ``tomas``, ``O'Brien`` -> ``obrien``, ``Fatima Zahra`` -> ``fatima-zahra``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(folded.lower().replace("'", "").split())


# --- Organisations --------------------------------------------------------------------------------

MERIDIAN = "Meridian National Oil Company"
NORTHSTAR = "Northstar Drilling"
OESA = "Offshore Energy Safety Authority"
CEDAR = "Cedar Plains School District"
EASTMOOR = "University of Eastmoor"
KINGSBRIDGE = "Kingsbridge Hospitals Trust"
HARBOURSIDE = "Harbourside Health Network"
NIMBUS = "Nimbusworks Cloud"
KESTREL = "Kestrel Logistics"
OMTT = "Open Maths Teaching Trust"

K = Organization.Kind
ORGANIZATIONS: tuple[OrgSpec, ...] = (
    OrgSpec(MERIDIAN, K.COMPANY),  # a national oil company
    OrgSpec(NORTHSTAR, K.COMPANY),  # a drilling contractor
    OrgSpec(OESA, K.AGENCY),  # the offshore regulator
    OrgSpec(CEDAR, K.SCHOOL),
    OrgSpec(EASTMOOR, K.UNIVERSITY),
    OrgSpec(KINGSBRIDGE, K.HOSPITAL),
    OrgSpec(HARBOURSIDE, K.HOSPITAL),
    OrgSpec(NIMBUS, K.COMPANY),  # a cloud platform company
    OrgSpec(KESTREL, K.COMPANY),
    OrgSpec(OMTT, K.NONPROFIT),
)

# --- People ---------------------------------------------------------------------------------------

DEMO_PERSON = PersonSpec(
    "Robin", "Ellery", MERIDIAN, "Well engineering", "Well Engineering Team Lead", "Stavanger, Norway",
    "Europe/Oslo", ("English", "Norwegian"),
    ("Well integrity", "Well control", "Cementing", "Human factors", "Drilling automation"),
    "Leads a team of eight well engineers planning development wells on the Norwegian shelf. Started the "
    "well integrity community after the same cement-job lesson was learned on three fields in one year.",
    username_override=DEMO_USERNAME,
    email_override=f"demo@{EMAIL_DOMAIN}",
)

ADMIN_PERSON = PersonSpec(
    "Network", "Admin", EASTMOOR, "Knowledge management", "Practica Network Administrator", "Eastmoor, UK",
    "Europe/London", ("English",), (), "Runs this Practica instance for the communities of the network.",
    username_override=ADMIN_USERNAME,
    email_override=f"admin@{EMAIL_DOMAIN}",
)

P = PersonSpec
PEOPLE: tuple[PersonSpec, ...] = (
    # Well engineering
    P("Ingrid", "Solberg", MERIDIAN, "Well engineering", "Well Integrity Engineer", "Stavanger, Norway",
      "Europe/Oslo", ("Norwegian", "English"), ("Well integrity", "Barrier management", "Plug and abandonment"),
      "Runs annulus pressure monitoring for 140 producing wells and keeps the well barrier schematics current."),
    P("Tariq", "Al-Mansouri", MERIDIAN, "Drilling engineering", "Senior Drilling Engineer", "Abu Dhabi, UAE",
      "Asia/Dubai", ("Arabic", "English"), ("Casing design", "Well control", "Managed pressure drilling"),
      "Designs casing programmes for high-pressure, high-temperature gas wells; fifteen years onshore and offshore."),
    P("Chinedu", "Okonkwo", NORTHSTAR, "Well engineering", "Cementing Specialist", "Port Harcourt, Nigeria",
      "Africa/Lagos", ("English", "Igbo"), ("Cementing", "Well integrity"),
      "Has designed and supervised more than 300 primary cement jobs; interested in cement evaluation logs."),
    P("Malcolm", "Fraser", NORTHSTAR, "Drilling operations", "Rig Superintendent", "Aberdeen, UK",
      "Europe/London", ("English",), ("Well control", "Crew resource management"),
      "Thirty years on semi-submersibles, the last ten as rig superintendent. Runs the rig's kick drills."),
    P("Luciana", "Ferreira", MERIDIAN, "Well engineering", "Completions Engineer", "Rio de Janeiro, Brazil",
      "America/Sao_Paulo", ("Portuguese", "English", "Spanish"), ("Completions", "Well integrity"),
      "Works on intelligent completions for pre-salt wells; keen on lessons learned from packer failures."),
    P("Aigerim", "Bekova", NORTHSTAR, "Drilling fluids", "Senior Mud Engineer", "Atyrau, Kazakhstan",
      "Asia/Atyrau", ("Kazakh", "Russian", "English"), ("Drilling fluids", "Well control"),
      "Manages drilling fluid programmes in salt and high-pressure carbonate sections."),
    P("Ravi", "Venkataraman", MERIDIAN, "Well engineering", "Well Control Instructor", "Chennai, India",
      "Asia/Kolkata", ("English", "Tamil", "Hindi"), ("Well control", "Kick detection", "Crew resource management"),
      "Teaches IWCF well control courses and turns real kick events into simulator scenarios."),
    P("Henrik", "Dahl", MERIDIAN, "Management", "VP Wells and Drilling", "Stavanger, Norway",
      "Europe/Oslo", ("Norwegian", "English"), ("Well integrity",),
      "Accountable for the wells portfolio; sponsors the well integrity community."),
    P("Siobhan", "Keane", OESA, "Well engineering", "Principal Inspector, Wells", "Aberdeen, UK",
      "Europe/London", ("English", "Irish"), ("Well integrity", "Barrier management", "Human factors"),
      "Inspects well operations and investigates well control incidents for the regulator."),
    P("Kwame", "Asante", NORTHSTAR, "Drilling operations", "Drilling Supervisor", "Takoradi, Ghana",
      "Africa/Accra", ("English", "Twi"), ("Well control", "Cementing"),
      "Night-shift drilling supervisor on a deepwater drillship off West Africa."),
    P("Emily", "Tran", EASTMOOR, "Petroleum engineering", "Lecturer in Well Engineering", "Eastmoor, UK",
      "Europe/London", ("English", "Vietnamese"), ("Cementing", "Casing design"),
      "Teaches well design and researches cement sheath integrity under cyclic loading."),
    P("Mateo", "Rojas", NORTHSTAR, "Drilling operations", "Directional Driller", "Neuquén, Argentina",
      "America/Argentina/Buenos_Aires", ("Spanish", "English"), ("Directional drilling", "Managed pressure drilling"),
      "Drills long horizontal sections in Vaca Muerta shale."),
    P("Farah", "Haddad", OESA, "Well engineering", "Wells Inspector", "Aberdeen, UK",
      "Europe/London", ("English", "Arabic", "French"), ("Well integrity", "Plug and abandonment"),
      "Joined the regulator from an operator's plug and abandonment team last year."),
    P("Jonas", "Lindqvist", EASTMOOR, "Petroleum engineering", "PhD Researcher, Cement Sheath Integrity",
      "Luleå, Sweden", "Europe/Stockholm", ("Swedish", "English"), ("Cementing", "Well integrity"),
      "Studies debonding of cement from casing in wells repurposed for CO2 storage."),
    P("Olumide", "Adeyemi", MERIDIAN, "Well engineering", "Plug and Abandonment Engineer", "Lagos, Nigeria",
      "Africa/Lagos", ("English", "Yoruba"), ("Plug and abandonment", "Well integrity", "Cementing"),
      "Plans permanent abandonment of mature onshore wells."),
    P("Greta", "Hoffmann", NORTHSTAR, "Well engineering", "Well Control Engineer", "Esbjerg, Denmark",
      "Europe/Copenhagen", ("German", "Danish", "English"), ("Well control", "Barrier management"),
      "Writes the contractor's well control bridging documents with each operator."),
    # Mathematics teaching
    P("María", "González", CEDAR, "Mathematics education", "Mathematics Instructional Coach",
      "Cedar Plains, Illinois, USA", "America/Chicago", ("English", "Spanish"),
      ("Formative assessment", "Questioning", "Mathematics teaching"),
      "Coaches 40 maths teachers across six schools; former middle-school teacher."),
    P("Daniel", "Osei", OMTT, "Mathematics education", "Teacher Educator", "Leeds, UK",
      "Europe/London", ("English", "Twi"), ("Formative assessment", "Lesson study", "Feedback"),
      "Runs lesson study cycles with secondary maths departments in the north of England."),
    P("Priya", "Raman", CEDAR, "Mathematics teaching", "Middle School Mathematics Teacher",
      "Cedar Plains, Illinois, USA", "America/Chicago", ("English", "Tamil"),
      ("Misconceptions", "Formative assessment"),
      "Collects student misconceptions about fractions and ratio and designs diagnostic questions for them."),
    P("Laura", "Bennett", CEDAR, "Education leadership", "Assistant Superintendent for Curriculum",
      "Cedar Plains, Illinois, USA", "America/Chicago", ("English",), ("Curriculum design",),
      "Sponsors the district's work on formative assessment in mathematics."),
    P("Tomás", "Herrera", CEDAR, "Mathematics teaching", "High School Algebra Teacher",
      "Cedar Plains, Illinois, USA", "America/Chicago", ("Spanish", "English"), ("Algebra", "Questioning"),
      "Teaches Algebra I to many English learners; uses mini-whiteboards every lesson."),
    P("Aroha", "Ngata", OMTT, "Mathematics teaching", "Secondary Mathematics Teacher and Trust Fellow",
      "Wellington, New Zealand", "Pacific/Auckland", ("English", "Māori"),
      ("Formative assessment", "Culturally responsive teaching"),
      "Leads a network of Wellington schools trialling hinge questions in Year 9."),
    P("Wei Ling", "Lim", OMTT, "Mathematics education", "Curriculum Specialist", "Singapore",
      "Asia/Singapore", ("English", "Mandarin", "Malay"), ("Mastery learning", "Bar modelling"),
      "Writes teacher guides on the bar model and on variation in mastery teaching.",
      display_name="Lim Wei Ling"),
    P("Fatima Zahra", "Benali", OMTT, "Mathematics teaching", "Primary Mathematics Specialist",
      "Casablanca, Morocco", "Africa/Casablanca", ("Arabic", "French", "English"),
      ("Number sense", "Formative assessment"),
      "Supports primary teachers in French-medium schools with number sense and assessment for learning."),
    P("Ethan", "Brooks", CEDAR, "Mathematics teaching", "Grade 5 Teacher", "Cedar Plains, Illinois, USA",
      "America/Chicago", ("English",), ("Number sense", "Exit tickets"),
      "Second-year teacher; uses exit tickets to plan the next day's groups."),
    P("Sophie", "Laurent", EASTMOOR, "Mathematics education", "PGCE Mathematics Tutor", "Eastmoor, UK",
      "Europe/London", ("French", "English"), ("Lesson study", "Misconceptions"),
      "Trains new secondary maths teachers and supervises their classroom research."),
    P("Grace", "Wanjiru", OMTT, "Mathematics teaching", "Head of Mathematics", "Nairobi, Kenya",
      "Africa/Nairobi", ("English", "Swahili"), ("Questioning", "Formative assessment"),
      "Heads the maths department of a large secondary school moving to the competency-based curriculum."),
    P("Kofi", "Boateng", CEDAR, "Mathematics teaching", "High School Mathematics Teacher",
      "Cedar Plains, Illinois, USA", "America/Chicago", ("English",), ("Formative assessment", "Algebra"),
      "Teaches geometry and algebra; new to the district this year."),
    P("Hannah", "Schultz", EASTMOOR, "Educational assessment", "Research Fellow in Assessment", "Eastmoor, UK",
      "Europe/London", ("German", "English"), ("Formative assessment", "Feedback"),
      "Researches how written feedback in mathematics changes what students do next."),
    # Patient safety
    P("Amara", "Nwosu", KINGSBRIDGE, "Patient safety", "Patient Safety Lead and Consultant Anaesthetist",
      "London, UK", "Europe/London", ("English", "Igbo"), ("Patient safety", "Human factors", "Incident reporting"),
      "Leads the trust's patient safety incident response framework; anaesthetist for twelve years."),
    P("Niamh", "Gallagher", KINGSBRIDGE, "Nursing", "Senior Charge Nurse, Acute Medicine", "London, UK",
      "Europe/London", ("English", "Irish"), ("Clinical handover", "SBAR", "Human factors"),
      "Introduced structured bedside handover on a 32-bed acute medical unit."),
    P("Rahul", "Mehta", KINGSBRIDGE, "Pharmacy", "Lead Medication Safety Pharmacist", "London, UK",
      "Europe/London", ("English", "Hindi", "Gujarati"), ("Medication errors", "Medication reconciliation"),
      "Chairs the medication safety group and reviews every high-harm medication incident."),
    P("Helen", "Carter", KINGSBRIDGE, "Medicine", "Medical Director", "London, UK",
      "Europe/London", ("English",), ("Patient safety", "Clinical governance"),
      "Executive sponsor for patient safety across the trust's three hospitals."),
    P("Jack", "Thompson", HARBOURSIDE, "Emergency medicine", "Emergency Medicine Registrar", "Sydney, Australia",
      "Australia/Sydney", ("English",), ("Clinical handover", "Crew resource management"),
      "Interested in handover from ambulance crews to the emergency department."),
    P("Mei", "Chen", HARBOURSIDE, "Nursing", "Clinical Nurse Educator", "Sydney, Australia",
      "Australia/Sydney", ("English", "Mandarin"), ("SBAR", "Clinical handover"),
      "Teaches ISBAR handover to new graduate nurses."),
    P("Oluwaseun", "Bakare", KINGSBRIDGE, "Pharmacy", "Ward Pharmacist", "London, UK",
      "Europe/London", ("English", "Yoruba"), ("Medication reconciliation",),
      "Reconciles medicines on admission for the older people's wards."),
    P("Isabel", "Ortiz", HARBOURSIDE, "Quality improvement", "Patient Safety Officer", "Sydney, Australia",
      "Australia/Sydney", ("Spanish", "English"), ("Incident reporting", "Just culture"),
      "Runs incident review meetings and feeds the themes back to the wards."),
    P("Yusuf", "Demir", KINGSBRIDGE, "Medicine", "Foundation Doctor", "London, UK",
      "Europe/London", ("Turkish", "English"), ("Clinical handover",),
      "Second-year foundation doctor; part of the junior doctors' handover improvement project."),
    P("Kirsten", "Larsen", EASTMOOR, "Nursing", "Senior Lecturer in Adult Nursing", "Eastmoor, UK",
      "Europe/London", ("English", "Danish"), ("Patient safety", "Medication errors"),
      "Teaches medicines management and simulation-based patient safety training."),
    P("Chloe", "Martin", HARBOURSIDE, "Pharmacy", "Senior Pharmacist, Emergency Department", "Sydney, Australia",
      "Australia/Sydney", ("English",), ("Medication errors", "Medication reconciliation"),
      "Leads medication history taking in the emergency department."),
    # Platform engineering
    P("Arjun", "Nair", NIMBUS, "Platform engineering", "Staff Platform Engineer", "Bengaluru, India",
      "Asia/Kolkata", ("English", "Malayalam", "Hindi"),
      ("Kubernetes", "Internal developer platform", "Infrastructure as code"),
      "Built the internal developer platform that 400 engineers deploy through."),
    P("Sarah", "Kim", NIMBUS, "Site reliability engineering", "SRE Manager", "Seattle, USA",
      "America/Los_Angeles", ("English", "Korean"), ("Observability", "Incident response", "SLOs"),
      "Manages the SRE team for the managed database service; runs blameless post-incident reviews."),
    P("Lukas", "Becker", NIMBUS, "Platform engineering", "Senior Platform Engineer", "Berlin, Germany",
      "Europe/Berlin", ("German", "English"), ("Kubernetes", "GitOps"),
      "Maintains the fleet of 90 Kubernetes clusters and the GitOps tooling around them."),
    P("Yuki", "Tanaka", NIMBUS, "Observability", "Observability Engineer", "Tokyo, Japan",
      "Asia/Tokyo", ("Japanese", "English"), ("Observability", "OpenTelemetry"),
      "Moved the company's services to OpenTelemetry tracing."),
    P("Michael", "O'Brien", NIMBUS, "Engineering management", "VP Engineering", "Boston, USA",
      "America/New_York", ("English",), ("Developer experience",),
      "Sponsors the platform engineering community across product teams."),
    P("Camila", "Souza", MERIDIAN, "DevOps", "DevOps Engineer, Subsurface Digital", "Rio de Janeiro, Brazil",
      "America/Sao_Paulo", ("Portuguese", "English"), ("CI/CD", "Kubernetes"),
      "Runs the platform behind real-time drilling data applications."),
    P("Piotr", "Nowak", NIMBUS, "Site reliability engineering", "Site Reliability Engineer", "Kraków, Poland",
      "Europe/Warsaw", ("Polish", "English"), ("Incident response", "Observability", "Incident investigation"),
      "On call for the object storage service; writes runbooks people actually use."),
    P("Zanele", "Dlamini", KESTREL, "Platform engineering", "Cloud Platform Engineer", "Johannesburg, South Africa",
      "Africa/Johannesburg", ("English", "isiZulu"), ("Kubernetes", "Infrastructure as code"),
      "Migrating a logistics company's workloads from virtual machines to Kubernetes."),
    P("Omar", "Farouk", KESTREL, "Security engineering", "DevSecOps Engineer", "Cairo, Egypt",
      "Africa/Cairo", ("Arabic", "English"), ("Supply chain security", "CI/CD"),
      "Signs and scans every container image before it reaches production."),
    P("Noah", "Williams", EASTMOOR, "Research computing", "Research Software Engineer", "Eastmoor, UK",
      "Europe/London", ("English",), ("Kubernetes", "High-performance computing"),
      "Runs JupyterHub on Kubernetes for the university's researchers."),
    P("Elena", "Petrova", KESTREL, "Site reliability engineering", "Senior Site Reliability Engineer",
      "Sofia, Bulgaria", "Europe/Sofia", ("Bulgarian", "English", "Russian"), ("Kubernetes", "Observability"),
      "Introduced service level objectives for the parcel-tracking platform."),
    P("Diego", "Fernández", NIMBUS, "Software engineering", "Developer Experience Engineer", "Mexico City, Mexico",
      "America/Mexico_City", ("Spanish", "English"), ("CI/CD", "Infrastructure as code", "Developer experience"),
      "Measures and shortens the time from commit to production for product teams."),
    # Human factors
    P("Alistair", "Grant", OESA, "Human factors", "Head of Human and Organisational Factors", "Aberdeen, UK",
      "Europe/London", ("English",), ("Human factors", "Fatigue risk management", "Just culture"),
      "Leads the regulator's human and organisational factors inspection team."),
)

# --- Communities ----------------------------------------------------------------------------------

R = Role
G = GoalSpec
COMMUNITIES: tuple[CommunitySpec, ...] = (
    CommunitySpec(
        slug="well-integrity",
        name="Well Integrity and Well Engineering",
        domain=(
            "Keeping wells safe over their whole life, from design to permanent abandonment: well barrier design "
            "and verification, casing and cementing, well control (kick detection, shut-in, kill methods), "
            "annulus pressure management, integrity testing and plug and abandonment. Members are well, drilling "
            "and completions engineers, rig crews, cementing and fluids specialists and inspectors who share "
            "field experience, lessons learned from incidents and near misses, and proven practices."
        ),
        out_of_scope=(
            "Reservoir engineering and production optimisation; commercial and contractual questions about rigs "
            "or services; vendor marketing. Confidential well data stays in each company's own systems."
        ),
        topics=(
            "Well integrity", "Cementing", "Well control", "Casing design", "Plug and abandonment",
            "Barrier management", "Drilling fluids", "Managed pressure drilling",
        ),
        visibility=Visibility.MEMBERS_ONLY,
        stage=Stage.MATURING,
        organizations=(MERIDIAN, NORTHSTAR, OESA, EASTMOOR),
        purpose=(
            "Stop learning the same well integrity lessons twice: connect the people who design, drill and "
            "inspect wells so that every cementing problem, kick and barrier failure becomes shared knowledge."
        ),
        goals=(
            G("Every well integrity question from the field gets an answer from a peer.",
              "reply_coverage_7d", Decimal("0.80"), 180),
            G("Publish a lesson learned from every significant cementing or well control event.",
              "knowledge_published", Decimal("3"), 365),
            G("Urgent well control questions get a first reply within four hours.",
              "median_first_response_hours", Decimal("4"), 180),
            G("Bring the drilling contractor, the regulator and academia into the conversation.",
              "elephant_factor", Decimal("2"), 270),
        ),
        coordinator=DEMO_USERNAME,
        members=(
            ("ingrid.solberg", R.CORE), ("tariq.al-mansouri", R.CORE), ("chinedu.okonkwo", R.CORE),
            ("henrik.dahl", R.SPONSOR), ("siobhan.keane", R.MEMBER), ("malcolm.fraser", R.MEMBER),
            ("luciana.ferreira", R.MEMBER), ("aigerim.bekova", R.MEMBER), ("ravi.venkataraman", R.MEMBER),
            ("kwame.asante", R.MEMBER), ("emily.tran", R.MEMBER),
        ),
        requests=(
            ("mateo.rojas", "I run directional jobs on long laterals and want to learn from your MPD experience."),
            ("farah.haddad", "New wells inspector at the regulator, previously in plug and abandonment."),
            ("jonas.lindqvist", "My PhD is on cement sheath integrity in CO2 storage wells; happy to share results."),
        ),
    ),
    CommunitySpec(
        slug="formative-assessment-maths",
        name="Formative Assessment in Mathematics",
        domain=(
            "Finding out what students understand during the lesson and acting on it: hinge questions, "
            "diagnostic multiple-choice questions, mini-whiteboards, exit tickets, questioning, feedback that "
            "moves learning on, and responding to misconceptions in number, algebra, geometry and statistics, "
            "from primary school to the end of secondary school."
        ),
        out_of_scope=(
            "High-stakes testing, grading policy and accountability data; general classroom behaviour management; "
            "selling resources or tutoring services."
        ),
        topics=(
            "Formative assessment", "Mathematics teaching", "Questioning", "Feedback", "Misconceptions",
            "Lesson study", "Algebra", "Number sense",
        ),
        visibility=Visibility.PUBLIC,
        stage=Stage.COALESCING,
        organizations=(CEDAR, OMTT, EASTMOOR),
        purpose=(
            "Help maths teachers use formative assessment every lesson by sharing questions that work, "
            "the misconceptions they reveal and what to do next, and by learning from each other's classrooms."
        ),
        goals=(
            G("Build a shared bank of tested hinge questions for grades 5 to 10.",
              "knowledge_published", Decimal("5"), 300),
            G("Grow an active community of practising teachers.",
              "mau", Decimal("40"), 180),
            G("Every teacher's question gets a reply within two school days.",
              "reply_coverage_7d", Decimal("0.90"), 240),
        ),
        coordinator="maria.gonzalez",
        members=(
            ("daniel.osei", R.CORE), ("priya.raman", R.CORE), ("laura.bennett", R.SPONSOR),
            ("tomas.herrera", R.MEMBER), ("aroha.ngata", R.MEMBER), ("wei-ling.lim", R.MEMBER),
            ("fatima-zahra.benali", R.MEMBER), ("ethan.brooks", R.MEMBER), ("sophie.laurent", R.MEMBER),
            ("grace.wanjiru", R.MEMBER),
        ),
    ),
    CommunitySpec(
        slug="patient-safety",
        name="Patient Safety: Medication and Handover",
        domain=(
            "Reducing avoidable harm from medication errors and poor clinical handover: prescribing, "
            "dispensing and administration errors, medicines reconciliation at admission and discharge, "
            "high-risk medicines (insulin, anticoagulants, opioids), structured handover with SBAR between "
            "shifts, teams and settings, and learning from incidents without blame."
        ),
        out_of_scope=(
            "Identifiable patient information of any kind; individual performance or disciplinary cases; "
            "clinical advice about a specific patient."
        ),
        topics=(
            "Patient safety", "Medication errors", "Clinical handover", "SBAR", "Incident reporting",
            "Medication reconciliation",
        ),
        visibility=Visibility.PRIVATE,
        stage=Stage.STEWARDSHIP,
        organizations=(KINGSBRIDGE, HARBOURSIDE),
        purpose=(
            "Give nurses, pharmacists and doctors a safe place to share what went wrong and what worked, "
            "so that lessons from one ward prevent harm on every other."
        ),
        goals=(
            G("Share a lesson learned from every high-harm medication incident theme.",
              "knowledge_published", Decimal("2"), 365),
            G("Keep every handover guide and SBAR template reviewed and current.",
              "knowledge_past_review_share", Decimal("0.10"), 180),
            G("Involve clinicians from both hospital networks every month.",
              "mau", Decimal("25"), 120),
        ),
        coordinator="amara.nwosu",
        members=(
            ("niamh.gallagher", R.CORE), ("rahul.mehta", R.CORE), ("helen.carter", R.SPONSOR),
            ("jack.thompson", R.MEMBER), ("mei.chen", R.MEMBER), ("oluwaseun.bakare", R.MEMBER),
            ("isabel.ortiz", R.MEMBER), ("yusuf.demir", R.MEMBER),
        ),
        invitations=(("kirsten.larsen", R.MEMBER),),
    ),
    CommunitySpec(
        slug="platform-engineering",
        name="Platform Engineering",
        domain=(
            "Building and running internal platforms that let product teams ship safely on their own: "
            "Kubernetes and cluster operations, infrastructure as code, CI/CD and golden paths, observability "
            "(metrics, logs, traces, SLOs), incident response and post-incident learning, and developer experience."
        ),
        out_of_scope=(
            "Product-specific application bugs; vendor sales pitches; questions about personal home labs "
            "with no bearing on running a platform for others."
        ),
        topics=(
            "Kubernetes", "Observability", "Infrastructure as code", "CI/CD", "Incident response",
            "Internal developer platform", "Developer experience",
        ),
        visibility=Visibility.PUBLIC,
        stage=Stage.MATURING,
        organizations=(NIMBUS, KESTREL, MERIDIAN, EASTMOOR),
        purpose=(
            "Make the platform teams of our organisations better at what they do by sharing golden paths, "
            "runbooks and incident learnings, and by answering each other's questions before they become tickets."
        ),
        goals=(
            G("Answer platform questions here before they become support tickets.",
              "reply_coverage_7d", Decimal("0.85"), 90),
            G("Publish a learning review after every major incident.",
              "knowledge_published", Decimal("2"), 365),
            G("Grow the community across all product teams.",
              "mau", Decimal("60"), 180),
            G("Document a golden path for each supported stack.",
              "knowledge_published", Decimal("3"), 270),
        ),
        coordinator="arjun.nair",
        members=(
            ("sarah.kim", R.COORDINATOR), ("lukas.becker", R.CORE), ("yuki.tanaka", R.CORE),
            ("michael.obrien", R.SPONSOR), ("camila.souza", R.MEMBER), ("piotr.nowak", R.MEMBER),
            ("zanele.dlamini", R.MEMBER), ("omar.farouk", R.MEMBER), ("noah.williams", R.MEMBER),
            (DEMO_USERNAME, R.MEMBER),
        ),
    ),
    CommunitySpec(
        slug="human-factors",
        name="Human Factors in Safety-Critical Work",
        domain=(
            "What offshore drilling, hospitals and on-call engineering teams can learn from each other about "
            "people at work: situational awareness, crew resource management, fatigue, communication under "
            "pressure, just culture and how to investigate incidents so that systems, not people, get fixed."
        ),
        out_of_scope="Individual incidents still under formal investigation; psychology unrelated to work safety.",
        topics=(
            "Human factors", "Crew resource management", "Situational awareness", "Fatigue risk management",
            "Just culture", "Incident investigation",
        ),
        visibility=Visibility.PUBLIC,
        stage=Stage.POTENTIAL,
        organizations=(MERIDIAN, NORTHSTAR, OESA, KINGSBRIDGE, HARBOURSIDE, NIMBUS),
        purpose=(
            "Find out whether practitioners from three safety-critical industries can learn from each other "
            "about the human side of safety, and what that community should become."
        ),
        goals=(
            G("Bring practitioners from at least five organisations and three industries together.",
              "elephant_factor", Decimal("3"), 180),
            G("Collect near-miss experience stories from each industry.",
              "knowledge_captured_share", Decimal("0.50"), 365),
        ),
        coordinator="siobhan.keane",
        members=(
            ("niamh.gallagher", R.CORE), ("jack.thompson", R.CORE), ("alistair.grant", R.SPONSOR),
            (DEMO_USERNAME, R.MEMBER), ("malcolm.fraser", R.MEMBER), ("yusuf.demir", R.MEMBER),
            ("sarah.kim", R.MEMBER), ("isabel.ortiz", R.MEMBER), ("amara.nwosu", R.MEMBER),
        ),
    ),
)
