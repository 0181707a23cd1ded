from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self):
        # Rollups follow the courses floor's learning events inside their transaction
        # (campaigns.reporting.rollups; the signal is the only way up the floors).
        from campaigns.reporting.rollups import learning_event_received
        from courses.signals import learning_event

        learning_event.connect(learning_event_received, dispatch_uid="campaigns.reporting.rollups")
        # The bell's "certificate ready" notice follows the same events (campaigns.notices).
        from campaigns.notices import certificate_notice_received

        learning_event.connect(certificate_notice_received, dispatch_uid="campaigns.notices")
        # The personal-data log: its admin report (hooks) and the role changes it records.
        from django.db.models.signals import post_delete, post_save

        from campaigns import audit
        from campaigns.models import ManagerRole

        post_save.connect(audit.role_saved, sender=ManagerRole, dispatch_uid="campaigns.audit")
        post_delete.connect(audit.role_deleted, sender=ManagerRole, dispatch_uid="campaigns.audit")
        # Entries about a person from the lower floors (MFA, certificates) carry their agency.
        from cms.audit import audit_person_agency_from

        audit_person_agency_from(audit.person_agency)
        # The navigation's cached "Manage" flag (campaigns.context_processors).
        from campaigns.context_processors import manager_nav_forget

        for signal in (post_save, post_delete):
            signal.connect(manager_nav_forget, sender=ManagerRole, dispatch_uid="campaigns.nav")
