"""The figures /metrics exposes, read from the database, rendered by prometheus_client (Prometheus
text format or OpenMetrics)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.config import Config
from service.status import outbox_counts

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Metric:
    """One Prometheus sample: metric name, labels, value, with the metric's type and help."""

    name: str
    kind: str
    help: str
    value: float
    labels: tuple[tuple[str, str], ...] = ()


def collect_metrics(session: Session, config: Config, now_: dt.datetime) -> list[Metric]:
    """Every figure /metrics exposes, read from the database (so they survive restarts)."""
    return [*_job_metrics(session), *_volume_metrics(session), *_source_metrics(session, config, now_)]


def _job_metrics(session: Session) -> list[Metric]:
    """Runs and failures per job."""
    from crawler.storage.service_state import job_states

    metrics: list[Metric] = []
    for row in job_states(session):
        labels = (("job", row.job_id),)
        metrics.append(Metric("dondoc_job_runs_total", "counter", "Job runs.", row.runs or 0, labels))
        metrics.append(Metric("dondoc_job_failures_total", "counter", "Job runs that did not succeed.",
                              row.failures or 0, labels))
    return metrics


def _volume_metrics(session: Session) -> list[Metric]:
    """Documents, tasks and outbox messages by status."""
    from crawler.storage.documents import document_count
    from crawler.storage.tasks import task_count

    metrics = [
        Metric("dondoc_documents", "gauge", "Stored documents (all versions).", document_count(session)),
        Metric("dondoc_tasks", "gauge", "Tracked tasks.", task_count(session)),
    ]
    counts = outbox_counts(session)
    for status in ("pending", "sending", "sent", "failed", "held", "superseded"):
        metrics.append(Metric("dondoc_outbox_messages", "gauge", "Outbox messages by status.",
                              counts.get(status, 0), (("status", status),)))
    metrics.append(Metric("dondoc_messages_sent_total", "counter", "Messages a channel accepted.",
                          counts.get("sent", 0)))
    metrics.append(Metric("dondoc_messages_failed_total", "counter", "Messages that failed for good.",
                          counts.get("failed", 0)))
    return metrics


def _source_metrics(session: Session, config: Config, now_: dt.datetime) -> list[Metric]:
    """Per configured source: up, consecutive failures, seconds since its last success (+Inf: never)."""
    from crawler.storage.service_state import source_health

    rows = source_health(session)
    metrics: list[Metric] = []
    for source in config.sources:
        row = rows.get(source.name)
        labels = (("source", source.name),)
        failures = row.consecutive_failures if row else 0
        last = row.last_success_at if row else None
        staleness = (now_ - last).total_seconds() if last else math.inf
        metrics += [
            Metric("dondoc_source_up", "gauge", "1 when the source's last crawl succeeded.",
                   1 if row is not None and last is not None and not failures else 0, labels),
            Metric("dondoc_source_consecutive_failures", "gauge", "Failed crawls in a row.", failures or 0,
                   labels),
            Metric("dondoc_source_staleness_seconds", "gauge", "Seconds since the last successful crawl.",
                   staleness, labels),
        ]
    return metrics


OPENMETRICS = "application/openmetrics-text"


def metrics_text(metrics: Sequence[Metric], openmetrics: bool = False) -> str:
    """Metrics rendered by prometheus_client: Prometheus text format, or OpenMetrics on request."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.openmetrics.exposition import generate_latest as generate_openmetrics

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_MetricsCollector(metrics))
    data = generate_openmetrics(registry) if openmetrics else generate_latest(registry)  # type: ignore[no-untyped-call]
    return data.decode("utf-8")


def metrics_content_type(openmetrics: bool) -> str:
    """The Content-Type matching the exposition format metrics_text produced."""
    from prometheus_client import CONTENT_TYPE_LATEST
    from prometheus_client.openmetrics.exposition import CONTENT_TYPE_LATEST as OPENMETRICS_TYPE

    return str(OPENMETRICS_TYPE if openmetrics else CONTENT_TYPE_LATEST)


def wants_openmetrics(accept: str | None) -> bool:
    """True when the request's Accept header asks for the OpenMetrics exposition."""
    return bool(accept) and OPENMETRICS in (accept or "")


class _MetricsCollector:
    """A prometheus_client collector yielding one family per metric name, samples in order."""

    def __init__(self, metrics: Sequence[Metric]) -> None:
        """Keep the samples to expose."""
        self.metrics = list(metrics)

    def collect(self) -> Iterator[Any]:
        """Group samples by name into counter or gauge families."""
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        families: dict[str, Any] = {}
        for metric in self.metrics:
            family = families.get(metric.name)
            if family is None:
                kind = CounterMetricFamily if metric.kind == "counter" else GaugeMetricFamily
                family = kind(metric.name, metric.help, labels=[key for key, _ in metric.labels])
                families[metric.name] = family
            family.add_metric([value for _, value in metric.labels], metric.value)
        yield from families.values()
