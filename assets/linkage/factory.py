"""The linkage stage's Dagster wiring: ``linkage/person_links``, with the check (``checks.linkage``)
that judges its linkage rate, and ``linkage/linkage_rates``, the counts it hands the content side."""

import datetime as dt

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from assets.check_results import check_result
from assets.folders import IndexFolders
from assets.linkage import clerical_review
from assets.linkage.incremental import PREPARED, REGISTRY
from assets.linkage.person_links import (
    FULL_RELINK,
    LINKAGE_TAG,
    PseudonymisationKey,
    hand_over,
    link_everything,
    link_what_changed,
    previous_linkage_rate,
    pseudonymised_datasets,
    stored_model,
    table_exists,
    why_full_relink,
    write_review_page,
)
from assets.linkage.rates import dataset_linkage_counts
from assets.linkage.summary import LINKAGE_RATE_TOLERANCE_POINTS, linkage_rate, linked_without_names, method_counts, model_estimates, weight_distribution
from assets.model.contracts import Contract
from assets.model.keys import LINKAGE_RATES, PERSON_LINKS, raw_key
from assets.model.reference import councils
from checks.linkage import linkage_rate_holds

RATE_CHECK = "linkage_rate_holds"


def build_person_links_asset(contracts: dict[str, Contract], backend: str = "duckdb", decisions: Contract | None = None) -> dg.AssetsDefinition:
    """``backend``: where Splink scores pairs, one of ``LINKAGE_BACKENDS`` (the operator's ``STORY_LINKAGE_BACKEND``);
    ``decisions``: the contract reviewers' decision files are checked against (``clerical_review``)."""
    decisions = decisions or clerical_review.decisions_contract()

    @dg.asset(
        key=PERSON_LINKS,
        group_name="linkage",
        kinds={"duckdb"},
        deps=[raw_key(c.id) for c in pseudonymised_datasets(contracts)],
        description=(
            "Links people across agencies in the linkage zone and gives each a stable keyed pseudonymous person id. "
            "Links a new or corrected file's records against the person registry; relinks everyone on the quarterly "
            f"edition or when the run has the tag {LINKAGE_TAG}={FULL_RELINK}."
        ),
        check_specs=[
            dg.AssetCheckSpec(
                RATE_CHECK,
                asset=PERSON_LINKS,
                description=f"Warns when the share of linked records falls more than {LINKAGE_RATE_TOLERANCE_POINTS:g} points since the previous run.",
            )
        ],
    )
    def person_links(context: dg.AssetExecutionContext, index_folders: IndexFolders, linkage_zone: DuckDBResource, pseudonymisation_key: PseudonymisationKey) -> dg.MaterializeResult:
        key = pseudonymisation_key.load()
        layout = index_folders.layout
        with linkage_zone.get_connection() as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS linkage")
            taken = clerical_review.take_decisions(con, layout.clerical_review_dir, decisions, councils(layout.reference_dir), layout.reference_dir)
            for refused in taken.refused:
                context.log.warning(f"Clerical review: decisions file {refused} refused; its report is beside it in clerical_review/refused/")
            model = stored_model(con)
            previous_ids = {p for (p,) in con.execute(f"SELECT DISTINCT person_id FROM {REGISTRY}").fetchall()} if table_exists(con, REGISTRY) else set()
            why = why_full_relink(con, contracts, model, context.run.tags)
            context.log.info(f"Linking {'every record: ' + why if why else 'the records new to the person registry and their neighbours'} ({'stored model' if model else 'no stored model'}, on {backend})")
            run = link_everything(con, contracts, key, model, backend, why) if why else link_what_changed(con, contracts, key, model, backend, previous_ids)
            for note in run.notes:
                context.log.info(f"Linkage: {note}")
            linked = con.execute(
                f"SELECT r.dataset, r._agency, r.linked_by, r.person_id, (p.forename IS NOT NULL OR p.surname IS NOT NULL) AS named, p.record_key IS NULL AS retired "
                f"FROM {REGISTRY} r LEFT JOIN {PREPARED} p USING (record_key)"
            ).df()
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            review_pairs, oldest_days = clerical_review.queue_summary(con, now)
            page = write_review_page(con, contracts, layout.clerical_review_dir, now)
            handed_over = hand_over(con, pseudonymised_datasets(contracts), layout.person_index_path)

        links = run.links
        rate, previous_rate = linkage_rate(linked), previous_linkage_rate(context)
        nameless = linked_without_names(linked)
        councils_linked = linked[linked["_agency"].str.match(r"^S12\d{6}$")]
        pairs = links.pairs if links is not None else pd.DataFrame(columns=["match_weight", "match_probability", "decision"])
        precision, recall = model_estimates(pairs)
        by_route = method_counts(linked.assign(records="all records"), "records")
        quality = {
            "match_threshold": round(links.threshold, 4) if links is not None else dg.MetadataValue.null(),
            "estimated_precision": precision if precision is not None else dg.MetadataValue.null(),
            "estimated_recall": recall if recall is not None else dg.MetadataValue.null(),
            "clerical_review_pairs": review_pairs,
            "clerical_review_oldest_days": oldest_days if oldest_days is not None else dg.MetadataValue.null(),
            "records_by_route": dg.MetadataValue.md(by_route.to_markdown()),
            "linked_by_dataset": dg.MetadataValue.md(method_counts(linked, "dataset").to_markdown()),
            "linked_by_council": dg.MetadataValue.md(method_counts(councils_linked, "_agency").rename_axis("council").to_markdown()),
        }
        return dg.MaterializeResult(
            metadata={
                "linkage_mode": run.mode if run.why is None else f"full: {run.why}",
                "records": len(linked),
                "records_relinked": run.relinked,
                "records_new": run.new,
                "records_gone": run.gone,
                "records_resent": run.resent,
                "persons": int(linked["person_id"].nunique()),
                "new_persons": int(len(set(linked["person_id"]) - previous_ids)),
                "person_ids_changed_records": int(links.changes["records"].sum()) if links is not None and not links.changes.empty else 0,
                **quality,
                "clerical_decisions_taken": taken.decisions,
                "clerical_decision_files_refused": dg.MetadataValue.md("\n".join(f"- {name}" for name in taken.refused) or "none"),
                "clerical_review_page": str(page),
                "person_index_records": handed_over,
                "model_reused": links is not None and links.model_source == "given",
                "model_source": links.model_source if links is not None else "none",
                "linkage_notes": dg.MetadataValue.md("\n".join(f"- {note}" for note in run.notes) or "none"),
                "linkage_rate_percent": rate,
                "previous_linkage_rate_percent": previous_rate if previous_rate is not None else dg.MetadataValue.null(),
                "records_linked_without_names": int(nameless.sum()),
                "linked_without_names_by_dataset": dg.MetadataValue.md(nameless.to_frame().to_markdown()),
                "match_weight_distribution": dg.MetadataValue.md(weight_distribution(pairs).to_markdown(index=False)),
            },
            check_results=[check_result(RATE_CHECK, linkage_rate_holds(rate, previous_rate, reported=quality))],
        )

    return person_links


@dg.asset(
    key=LINKAGE_RATES,
    group_name="linkage",
    kinds={"csv"},
    deps=[PERSON_LINKS],
    description="Per dataset, the records the linkage holds and how many it joined to another record of the same person: counts only, handed to the content side for the edition's linkage rates.",
)
def linkage_rates(index_folders: IndexFolders, linkage_zone: DuckDBResource) -> dg.MaterializeResult:
    with linkage_zone.get_connection() as con:
        counts = dataset_linkage_counts(con)
    target = index_folders.layout.linkage_rates_path
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(target.name + ".new")
    counts.to_csv(building, index=False)
    building.replace(target)
    # No "records" total: the quiet run adds the linkage stage's figures up, and person_links gives it.
    return dg.MaterializeResult(metadata={"datasets": len(counts), "counts": dg.MetadataValue.md(counts.to_markdown(index=False))})
