"""The words of the demo scenario (:mod:`journey.demo`): who records what, fictional names, and
short texts for reasons, marking feedback, outcomes and review-interview quotes.

Every person here is invented. Actor subjects are the logins of the charity's staff, its
service-user trainers, its internal markers and moderator, and the university's external
moderator; participants' names are drawn from the two name lists.
"""

from __future__ import annotations

from journey.values import EssayFormat, FeedbackCategory, OutcomeCategory

__all__ = [
    "COORDINATORS",
    "ESSAY_FORMAT_POOL",
    "EXTERNAL_MODERATOR",
    "FIRST_NAMES",
    "INTERNAL_MODERATOR",
    "INTERVIEWERS",
    "LAST_NAMES",
    "MARKERS",
    "MARK_FEEDBACK",
    "MISSED_REASONS",
    "OUTCOME_DETAILS",
    "OUTCOME_WEIGHTS",
    "QUOTES",
    "QUOTE_CATEGORIES",
    "REFER_FEEDBACK",
    "TRAINERS",
    "WITHDRAWAL_REASONS",
]

# Programme coordinators: they enrol, record attendance, decisions, submissions, certificates.
COORDINATORS = ("lisa.heron", "daniel.mensah")
# Service-user trainers who deliver the training days (two per cohort).
TRAINERS = (
    "kay.brook",
    "marcus.dyer",
    "ruth.ellery",
    "tunde.adeyemi",
    "sam.fairley",
    "priya.lal",
    "gill.norton",
    "owen.pryce",
)
MARKERS = ("maureen.callister", "samuel.okafor", "tessa.bright")
INTERNAL_MODERATOR = "graham.hartley"
EXTERNAL_MODERATOR = "mdx:rachel.iyer"
# Staff who run the review interviews and never deliver the course.
INTERVIEWERS = ("clare.ward", "nadia.beaumont")

FIRST_NAMES = (
    "Aisha", "Alan", "Amir", "Bernadette", "Carl", "Chidi", "Claire", "Darren", "Denise",
    "Elaine", "Femi", "Gary", "Hannah", "Imran", "Jackie", "Jason", "Joanne", "Kwame", "Leanne",
    "Lorraine", "Marek", "Maxine", "Nadia", "Neil", "Paula", "Rajesh", "Shaun", "Sonia", "Tracey",
    "Wayne",
)  # fmt: skip
LAST_NAMES = (
    "Ahmed", "Baker", "Barnes", "Bennett", "Chowdhury", "Clarke", "Cole", "Dawson", "Doyle",
    "Ellis", "Fletcher", "Grant", "Hughes", "Hussain", "Jennings", "Kowalski", "Lloyd", "Marsh",
    "Mensah", "Moss", "Nolan", "Osei", "Parry", "Reid", "Shah", "Stone", "Turner", "Walsh",
    "Webb", "Young",
)  # fmt: skip

MISSED_REASONS: tuple[str | None, ...] = (
    "Unwell",
    "Hospital appointment",
    "Caring responsibilities",
    "Transport problems",
    "Benefits assessment",
    None,
)
WITHDRAWAL_REASONS = (
    "Health reasons",
    "Moved out of the area",
    "Started a job with clashing hours",
    "Caring responsibilities at home",
)

# Essay formats for the submitters, shuffled: mostly written, some oral, a few posters.
ESSAY_FORMAT_POOL: tuple[EssayFormat, ...] = ("written",) * 8 + ("oral",) * 5 + ("poster",) * 3

MARK_FEEDBACK = (
    "A thoughtful reflection on your own experience; you could link it more to the themes "
    "of the service user movement.",
    "Your learning log shows real growth in confidence across the days. Well done.",
    "Clear and honest writing. Consider how you might use these skills in meetings.",
    "A moving account that meets the learning outcomes; develop your ideas on peer support.",
    "Good use of examples from the training days; keep building on your presentation skills.",
)
REFER_FEEDBACK = (
    "The essay describes the course well but needs more reflection on your own learning. "
    "Please resubmit with the log completed for every day.",
    "Not yet: the learning log stops after day six. Your tutor can help you plan the rest.",
)

OUTCOME_DETAILS: dict[OutcomeCategory, tuple[str, ...]] = {
    "chair": ("Chair of a local user forum", "Chair of the day centre's members' council"),
    "treasurer": ("Treasurer of a hearing voices group", "Treasurer of a local user group"),
    "board_member": (
        "Trustee of a local mental health charity",
        "Board member of a national service user network",
    ),
    "employment": (
        "Paid peer support worker post",
        "Part-time support worker job with the charity",
        "Changed job to community development work",
    ),
    "co_facilitating": (
        "Co-facilitated days on a later Voices Together course",
        "Co-facilitates a recovery workshop",
    ),
    "speaking": (
        "Spoke at the charity's AGM",
        "Talk to social work students at a university",
        "Spoke at a county council scrutiny meeting",
        "Presented at a regional mental health conference",
    ),
    "leadership_role": (
        "Service user representative on the day centre's management group",
        "Leads the user involvement group at the service they attend",
    ),
    "further_training": (
        "Completed a Train the Trainer course",
        "Started an access course at a further education college",
        "Completed a counselling skills certificate",
    ),
    "volunteering": (
        "Volunteers weekly at a drop-in centre",
        "Volunteer befriender",
        "Volunteer at a community allotment project",
    ),
    "campaigning": (
        "Campaigned against the closure of a local crisis house",
        "Joined an anti-stigma campaign",
        "Advocates for other service users at care reviews",
    ),
}
OUTCOME_WEIGHTS: dict[OutcomeCategory, int] = {
    "speaking": 3,
    "volunteering": 3,
    "further_training": 3,
    "campaigning": 2,
    "leadership_role": 2,
    "co_facilitating": 2,
    "employment": 2,
    "chair": 1,
    "treasurer": 1,
    "board_member": 1,
}

QUOTES = (
    "It gave me my confidence back.",
    "I can speak up in a meeting now without my hands shaking.",
    "Being with people who had been through it too made all the difference.",
    "I never thought I'd stand up and talk at an AGM.",
    "The trainers had been there themselves, and you could tell.",
    "I'm better at asking for the help I need.",
    "It got me thinking about doing more courses.",
    "Writing the learning log showed me how far I'd come.",
    "I feel I have a say in how my service is run.",
    "It pushed me to apply for the job I'm doing now.",
    "Some days were hard going, but I'm glad I stuck with it.",
    "I'd tell anyone who has lost their confidence to do it.",
    "I look at things differently now.",
)
# What each quote is about, as the interviewer files it (one per quote, in order).
QUOTE_CATEGORIES: tuple[FeedbackCategory, ...] = (
    "confidence",
    "speaking_up",
    "peer_support",
    "speaking_up",
    "peer_support",
    "confidence",
    "learning",
    "learning",
    "involvement",
    "employment",
    "challenge",
    "confidence",
    "other",
)
