from django.urls import path

from campaigns import views, views_exports

app_name = "campaigns"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("don-vi/<int:agency_id>/", views.dashboard, name="agency"),
    path("don-vi/<int:agency_id>/hoc-vien/", views.people, name="people"),
    path("don-vi/<int:agency_id>/hoc-vien/nhac/", views.people_remind, name="people_remind"),
    path("don-vi/<int:agency_id>/hoc-vien.csv", views.people_export, name="people_export"),
    path("hoc-vien/<int:user_id>/", views.learner_detail, name="learner"),
    path("co-quan/tim/", views.agency_search_page, name="agency_search"),
    path("co-quan/tim.json", views.agency_search_json, name="agency_search_json"),
    path("nhap-hoc-vien/", views.import_upload, name="import_upload"),
    path("nhap-hoc-vien/mau.<str:fmt>", views.import_template, name="import_template"),
    path("nhap-hoc-vien/ma-co-quan.csv", views.import_agency_codes, name="import_agency_codes"),
    path("nhap-hoc-vien/<int:job_id>/", views.import_detail, name="import_detail"),
    path("nhap-hoc-vien/<int:job_id>/tien-do.json", views.import_progress, name="import_progress"),
    path("nhap-hoc-vien/<int:job_id>/chay/", views.import_start, name="import_start"),
    path(
        "nhap-hoc-vien/<int:job_id>/dong-hop-le/",
        views.import_accept_good_rows,
        name="import_accept_good_rows",
    ),
    path(
        "nhap-hoc-vien/<int:job_id>/dong-bi-loai.csv", views.import_rejected, name="import_rejected"
    ),
    # The link an import's e-mail change sends to the old address (for learners too).
    path("xac-nhan-email/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
    path("buoi-hoc/", views.session_list, name="sessions"),
    path("buoi-hoc/tao/", views.session_create, name="session_create"),
    path("buoi-hoc/<int:session_id>/", views.session_detail, name="session"),
    path("buoi-hoc/<int:session_id>/sua/", views.session_edit, name="session_edit"),
    path("buoi-hoc/<int:session_id>/danh-sach/", views.session_roster, name="session_roster"),
    path("diem-danh/<str:token>/", views.attend, name="attend"),
    path("thong-bao/", views.notices, name="notices"),
    # Dashboards, ranking and period reports (rollups only).
    path("don-vi/<int:agency_id>/bao-cao/", views.report, name="report"),
    path("don-vi/<int:agency_id>/qua-han/", views.overdue, name="overdue"),
    path("don-vi/<int:agency_id>/qua-han/nhac/", views.overdue_remind, name="overdue_remind"),
    path("thi-dua/", views.ranking, name="ranking"),
    path("nhat-ky-du-lieu/", views.audit_log, name="audit_log"),
    # Background exports and scheduled reports (views_exports).
    path("xuat-file/", views_exports.export_list, name="exports"),
    path("don-vi/<int:agency_id>/xuat-file/", views_exports.export_create, name="export_create"),
    path(
        "xuat-file/<int:export_id>/tai-ve/", views_exports.export_download, name="export_download"
    ),
    path("bao-cao-dinh-ky/", views_exports.subscriptions, name="subscriptions"),
    path(
        "don-vi/<int:agency_id>/bao-cao-dinh-ky/",
        views_exports.subscriptions,
        name="agency_subscriptions",
    ),
    path(
        "bao-cao-dinh-ky/<int:subscription_id>/huy/",
        views_exports.subscription_cancel,
        name="subscription_cancel",
    ),
    # Public open data is in campaigns.urls_public, mounted at /so-lieu/.
]
