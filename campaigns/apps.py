from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self):
        # Rollups follow the courses floor's learning events inside their transaction
        # (campaigns.rollups; the signal is the only way up the floors).
        from campaigns.rollups import learning_event_received
        from courses.signals import learning_event

        learning_event.connect(learning_event_received, dispatch_uid="campaigns.rollups")
