"""Every model, imported in one place so that Alembic and the app see the whole schema."""

from app.announcements.models import Announcement  # noqa: F401
from app.applications.models import (  # noqa: F401
    Application,
    ApplicationRevision,
)
from app.auth.models import User, UserSession  # noqa: F401
from app.core.audit import AuditLog  # noqa: F401
from app.core.changes import SearchChange  # noqa: F401
from app.core.outbox import OutboundMail  # noqa: F401
from app.events.models import Event, EventRegistration  # noqa: F401
from app.follows.models import DigestSent, Follow, FollowSettings  # noqa: F401
from app.notifications.models import Notification, NotificationPreference  # noqa: F401
from app.organisations.models import (  # noqa: F401
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
    OrganisationRegion,
    OrganisationTargetGroup,
)
from app.partners.models import PartnerCall, PartnerMessage, PartnerThread  # noqa: F401
from app.practices.models import (  # noqa: F401
    Adoption,
    Practice,
    PracticeAttachment,
    PracticePartner,
    PracticeVersion,
)
from app.projects.models import (  # noqa: F401
    ClaimLine,
    PaymentClaim,
    Project,
    Report,
    ReportRevision,
)
from app.questions.models import Question, QuestionMessage  # noqa: F401
from app.reviews.models import Decision, Review, ReviewScore  # noqa: F401
from app.search.thesaurus import SearchConcept  # noqa: F401
