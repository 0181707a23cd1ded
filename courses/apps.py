from django.apps import AppConfig

from courses.activities.registry import autodiscover


class CoursesConfig(AppConfig):
    name = "courses"

    def ready(self):
        # Every activity kind (courses/activities/<kind>.py) registers itself on import.
        autodiscover()
        # The page types' views (the models import no views: cms.pages) and what approving
        # a course does (courses.moderation).
        from cms.pages import serve_with
        from courses import moderation, views
        from courses.models import CourseIndexPage, CoursePage, LessonPage

        serve_with(CourseIndexPage, views.catalogue_serve)
        serve_with(CoursePage, views.course_serve)
        serve_with(LessonPage, views.lesson_serve)
        moderation.connect()
