"""Who may do what: one table, read by the routes and by the role x operation tests."""

from __future__ import annotations

from types import MappingProxyType

from api.auth import Role

__all__ = ["EVENT_ROLES", "OPERATION_ROLES"]

_READERS_OF_RECORDS: tuple[Role, ...] = ("staff", "marker", "moderator", "auditor")
_RESEARCH_READERS: tuple[Role, ...] = ("researcher", "staff", "auditor")

OPERATION_ROLES: MappingProxyType[str, tuple[Role, ...]] = MappingProxyType(
    {
        "define_programme": ("admin",),
        "schedule_cohort": ("admin",),
        "read_programme": ("staff", "marker", "moderator", "auditor", "admin"),
        "read_cohort": ("staff", "marker", "moderator", "auditor", "admin"),
        "enrol": ("staff",),
        "record_event": ("staff", "marker", "moderator"),  # per type: EVENT_ROLES
        "read_participant": _READERS_OF_RECORDS,
        "read_history": _READERS_OF_RECORDS,
        "read_timeline": ("staff", "auditor"),
        "read_register": ("staff", "auditor"),
        # Exact figures: researchers read the same through /research, after disclosure control.
        "read_pass_rates": ("staff", "moderator", "auditor", "admin"),
        "read_outcomes": ("staff", "auditor", "admin"),
        "read_moderation_queue": ("staff", "marker", "moderator", "auditor"),
        "read_moderation_pack": ("staff", "moderator", "auditor"),
        # Research: researchers after disclosure control, staff and auditors exact figures.
        "read_research_participants": _RESEARCH_READERS,
        "read_research_timeline": _RESEARCH_READERS,
        "read_research_dictionary": _RESEARCH_READERS,
        "read_outcome_curves": _RESEARCH_READERS,
        "read_first_outcome": _RESEARCH_READERS,
        "read_funnel_by_group": _RESEARCH_READERS,
        "read_wellbeing_change": _RESEARCH_READERS,
        "plot_funnel": _RESEARCH_READERS,
        "plot_outcome_curves": _RESEARCH_READERS,
        "plot_outcome_timeline": _RESEARCH_READERS,
        # Staff training: staff record; admins record the workforce sizes. Researchers get
        # no staff-training table: every table that reaches them must pass disclosure
        # control (issue 6), and these are exact counts by region, team and session.
        "recruit_trainer": ("staff",),
        "record_trainer_event": ("staff",),
        "read_trainer": ("staff", "auditor"),
        "plan_staff_session": ("staff",),
        "record_session_event": ("staff",),
        "read_staff_session": ("staff", "auditor"),
        "record_workforce_size": ("admin",),
        "read_workforce_reach": ("staff", "auditor", "admin"),
        "read_evaluations": ("staff", "auditor"),
        "read_action_plans": ("staff", "auditor"),
        "read_trainer_activity": ("staff", "auditor"),
        "read_expenses_outstanding": ("staff", "auditor"),
        "read_cost_per_learner": ("staff", "auditor", "admin"),
        "audit_digest": ("auditor",),
        "audit_verify": ("auditor",),
        "audit_access": ("auditor",),
        "request_erasure": ("admin",),
        "approve_erasure": ("admin",),
    }
)

# The role that records each event type: markers record their own marks, moderators their
# own moderation; everything else is recorded by staff.
EVENT_ROLES: MappingProxyType[str, tuple[Role, ...]] = MappingProxyType(
    {
        "Marked": ("marker",),
        "Moderated": ("moderator",),
    }
)
DEFAULT_EVENT_ROLES: tuple[Role, ...] = ("staff",)
