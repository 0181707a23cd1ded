from django.contrib import admin

from accounts.models import ConsentRecord


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "purpose", "notice_version", "given_at", "withdrawn_at"]
    list_select_related = ["user"]
    readonly_fields = ["user", "purpose", "notice_version", "given_at", "ip_address", "user_agent"]
