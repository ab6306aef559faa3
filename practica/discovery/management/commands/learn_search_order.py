"""``python manage.py learn_search_order [--dry-run] [--reset] [--min-pairs N] [--folds K]``: learn the order of a
whole question's results from this site's own linked questions (see practica/search/rerank.py and practica/discovery/search_order.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from practica.discovery import search_order
from practica.search import latent, rerank


class Command(BaseCommand):
    help = (
        "Learn how a whole question's results are ordered from the questions this site links together (links and "
        "duplicates), and keep the learnt weights only when they find the linked question better than the shipped "
        "ones (cross-validated)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Learn and measure, store nothing.")
        parser.add_argument("--reset", action="store_true", help="Forget the learnt weights: back to the shipped ones.")
        parser.add_argument(
            "--min-pairs", type=int, default=search_order.MIN_PAIRS,
            help="Linked pairs needed before learning is tried (default %(default)s).",
        )
        parser.add_argument("--folds", type=int, default=search_order.FOLDS, help="Cross-validation folds (default %(default)s).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            forgotten = search_order.forget_learnt()
            self.stdout.write("Back to the shipped weights." if forgotten else "There were no learnt weights: the shipped ones apply.")
            return
        if not latent.available():
            raise CommandError("Latent search is switched off (PRACTICA_LATENT=off) or numpy/SciPy are not installed.")
        if not 2 <= options["folds"] <= 20:
            raise CommandError("--folds must be between 2 and 20.")
        if not 10 <= options["min_pairs"] <= 1_000_000:
            raise CommandError("--min-pairs must be between 10 and 1,000,000.")
        if latent.current_space() is None:
            raise CommandError("There is no latent space yet: run build_latent_space first (the order is learnt in it).")
        result = search_order.learn(folds=options["folds"], min_pairs=options["min_pairs"], store=not options["dry_run"])
        self.stdout.write(
            f"{result.pairs:,} linked pairs from {result.sources:,} questions; "
            f"{result.usable:,} questions had a linked thread among their candidates."
        )
        if result.weights is None:
            self.stdout.write(f"Nothing learnt ({result.reason}): the weights in force stay.")
            return
        self.stdout.write(
            f"Finding the linked thread, {options['folds']}-fold cross-validated: shipped weights recall@10 "
            f"{result.shipped['recall']:.3f}, MRR {result.shipped['mrr']:.3f}; learnt weights recall@10 "
            f"{result.learnt['recall']:.3f}, MRR {result.learnt['mrr']:.3f}."
        )
        self.stdout.write(
            "Learnt: " + ", ".join(f"{name} {weight:.2f}" for name, weight in zip(rerank.FEATURES, result.weights, strict=True))
        )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing stored.")
        elif result.adopted:
            self.stdout.write("Stored: searches now order whole questions by the learnt weights.")
        else:
            self.stdout.write(f"Not stored ({result.reason}): the weights in force stay.")
