"""journey-ledger's domain and application: participant journeys as event streams.

The public surface is listed in ``__all__``; everything else is internal.
"""

from journey.application import JourneyLedger, utc_today
from journey.catalogue import install_catalogue, shipped_programmes
from journey.participant import Participant
from journey.persistence import store_env
from journey.programme import Cohort, Programme
from journey.state import PersonalDetails
from journey.values import Accreditation, WellbeingScale
from journey.views import CohortView, HistoryEntry, ParticipantView, ProgrammeView, Recorded

__all__ = [
    "Accreditation",
    "Cohort",
    "CohortView",
    "HistoryEntry",
    "JourneyLedger",
    "Participant",
    "ParticipantView",
    "PersonalDetails",
    "Programme",
    "ProgrammeView",
    "Recorded",
    "WellbeingScale",
    "install_catalogue",
    "shipped_programmes",
    "store_env",
    "utc_today",
]
