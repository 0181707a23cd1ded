"""Site page types and the media library.

Dependency direction: cms is the ground floor and imports no other app of ours. Higher
floors' data (campaign counters, featured courses) reaches the home page only through their
template tags, which the home page template loads when those apps define them.

Page tree: HomePage > InfographicIndexPage > InfographicPage
                    > VideoIndexPage > VideoPage (shows a cms.Video, the same library
                      lesson blocks choose from)
                    > NewsIndexPage > NewsPage (with a NewsCategory)
Each kind's shared part is defined once, in an abstract base: the index pages extend
IndexPage (TopicIndexPage: the topic libraries' listing), the pages below them LibraryPage
(MediaPage: audience, topics panel and cards of infographics and videos).
Every page type has `search_folded()`, indexed as a search field: the page's text folded
(no diacritics, đ→d, lower case) so the site search ignores diacritics on SQLite and
PostgreSQL alike (cms.views.search folds the query the same way).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Prefetch
from django.template import engines
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, TitleFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from cms.blocks import NewsBodyBlock
from cms.forms import HocSoPageForm, NameSlugForm
from cms.pages import public_q
from cms.text import fold
from cms.vocabularies import AUDIENCE_OR_EVERYONE

# Renditions the listings and pages ask for; prefetched together so a listing costs the same
# number of queries for 3 or 300 items. CARD_* are the card images (WebP srcset), OG_* the
# Open Graph share card (JPEG: every social network reads it).
CARD_SPECS = ["width-320|format-webp", "width-640|format-webp", "width-960|format-webp"]
DETAIL_SPECS = [*CARD_SPECS, "width-1280|format-webp"]
OG_SPEC = "fill-1200x630-c0|format-jpeg"
POSTER_SPEC = "width-640|format-webp"


def _renditions_prefetch(image_field: str, specs) -> Prefetch:
    """The renditions `specs` of the image in `image_field`, prefetched where Wagtail's
    get_rendition looks first (`prefetched_renditions`)."""
    rendition_model = get_image_model().get_rendition_model()
    return Prefetch(
        f"{image_field}__renditions",
        queryset=rendition_model.objects.filter(filter_spec__in=specs),
        to_attr="prefetched_renditions",
    )


def optional_image(verbose_name, **kwargs) -> models.ForeignKey:
    """A field for an image chosen from the Wagtail library that a row can do without
    (poster, news image, course cover, certificate logo...): deleting the image from the
    library empties the field, and images get no reverse relation."""
    return models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **kwargs,
    )


class TimestampedModel(models.Model):
    """When a row was made and last saved: the one base class of every app's models
    (accounts, assessments, courses, certificates, H5P, campaigns)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class HomePage(Page):
    """The site's root page: the campaign's welcome, its headline numbers, featured courses
    and the latest infographics, videos and news."""

    base_form_class = HocSoPageForm

    lead = models.CharField(_("lead"), max_length=300, blank=True)
    body = RichTextField(
        _("body"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"]
    )

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_infographics"] = InfographicPage.objects.for_listing()[:3]
        context["latest_videos"] = VideoPage.objects.for_listing()[:3]
        context["latest_news"] = NewsPage.objects.for_listing()[:3]
        # The three library index pages in one query (plain Pages: only their URLs are used).
        indexes = {
            page.content_type_id: page
            for page in Page.objects.live().filter(
                content_type__in=ContentType.objects.get_for_models(
                    InfographicIndexPage, VideoIndexPage, NewsIndexPage
                ).values()
            )
        }
        for name, model in (
            ("infographic_index", InfographicIndexPage),
            ("video_index", VideoIndexPage),
            ("news_index", NewsIndexPage),
        ):
            context[name] = indexes.get(ContentType.objects.get_for_model(model).pk)
        libraries = _template_libraries()
        # Higher floors' tag libraries: loaded by an include only when the app defines them.
        context["has_campaign_stats"] = "campaign_stats" in libraries
        context["has_courses_tags"] = "courses_tags" in libraries
        return context


def _template_libraries() -> dict:
    return engines["django"].engine.template_libraries


# --- Video library --------------------------------------------------------------------


CAPTIONS_MAX_BYTES = 512 * 1024  # an hour of dense captions is about 100 KB


def validate_webvtt(file):
    """A WebVTT file: UTF-8, at most CAPTIONS_MAX_BYTES, starting with the "WEBVTT"
    signature (an optional BOM before it)."""
    size = getattr(file, "size", None)
    if size is not None and size > CAPTIONS_MAX_BYTES:
        raise ValidationError(_("The captions file is too large (at most 512 KB)."))
    data = file.read(CAPTIONS_MAX_BYTES + 1)
    file.seek(0)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > CAPTIONS_MAX_BYTES:
        raise ValidationError(_("The captions file is too large (at most 512 KB)."))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(_("Captions must be saved as UTF-8 text.")) from None
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise ValidationError(_("Captions must be a WebVTT (.vtt) file starting with WEBVTT."))


class VideoQuerySet(models.QuerySet):
    def for_player(self):
        """Use when a page renders the player: the video with its poster, then its
        renditions and the poster's player rendition: three queries."""
        return self.select_related("poster").prefetch_related(
            "renditions", _renditions_prefetch("poster", [POSTER_SPEC])
        )


class RenditionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be processed")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Video(models.Model):
    """A video shown in lessons and in the video library.

    The original upload is kept as it came; `cms.tasks.video_renditions_make` (queue
    "media") adds a 360p and a 720p H.264/AAC MP4 with faststart (VideoRendition rows).
    `duration_seconds` lets the server refuse a "watched 90%" claim that arrives sooner than
    90% of the video after the lesson was opened. Admin uploads go through cms.forms.VideoForm,
    which refuses what ffmpeg cannot read before anything is stored.
    """

    title = models.CharField(_("title"), max_length=255)
    file = models.FileField(
        _("video file"),
        upload_to="videos/originals/",
        validators=[FileExtensionValidator(["mp4", "webm", "mov", "m4v"])],
    )
    poster = optional_image(_("poster image"))
    captions = models.FileField(
        _("captions (WebVTT)"),
        upload_to="videos/captions/",
        blank=True,
        validators=[FileExtensionValidator(["vtt"]), validate_webvtt],
    )
    captions_language = models.CharField(_("captions language"), max_length=10, default="vi")
    duration_seconds = models.PositiveIntegerField(
        _("duration (seconds)"), help_text=_("Length of the video; used to check watch progress.")
    )
    transcript = models.TextField(_("transcript"), blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    rendition_status = models.CharField(
        _("renditions"),
        max_length=12,
        choices=RenditionStatus.choices,
        default=RenditionStatus.PENDING,
        editable=False,
    )
    rendition_error = models.TextField(_("rendition error"), blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VideoQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldPanel("file"),
        FieldPanel("poster"),
        FieldPanel("captions"),
        FieldPanel("captions_language"),
        FieldPanel("duration_seconds"),
        FieldPanel("transcript"),
    ]
    search_fields = [index.SearchField("title"), index.SearchField("transcript")]

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_seconds__gt=0), name="video_duration_positive"
            )
        ]

    def __str__(self):
        return self.title

    def sources(self) -> list[dict]:
        """What the player offers, smallest first: the renditions made from the current
        original, then the original itself. Use with `renditions` prefetched
        (`Video.objects.for_player()`), or it costs one query."""
        current = [r for r in self.renditions.all() if r.source_name == self.file.name]
        current.sort(key=lambda r: r.height)
        items = [
            {"key": r.quality, "url": r.file.url, "label": r.quality, "size": r.size_bytes,
             "type": "video/mp4"}
            for r in current
        ]  # fmt: skip
        items.append(
            {"key": "original", "url": self.file.url, "label": _("Original"), "size": None,
             "type": ""}
        )  # fmt: skip
        return items


class VideoRendition(models.Model):
    """One encoded copy of a Video's original. `source_name` is the original's file name it
    was made from: when an editor replaces the original, old renditions stop counting and
    the task makes new ones (that is what makes the task idempotent)."""

    class Quality(models.TextChoices):
        LOW = "360p", _("360p (saves data)")
        HIGH = "720p", _("720p")

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="renditions")
    quality = models.CharField(_("quality"), max_length=8, choices=Quality.choices)
    file = models.FileField(_("file"), upload_to="videos/renditions/")
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"))
    source_name = models.CharField(_("made from"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("video rendition")
        verbose_name_plural = _("video renditions")
        constraints = [
            models.UniqueConstraint(fields=["video", "quality"], name="video_rendition_unique")
        ]

    def __str__(self):
        return f"{self.video} ({self.quality})"


# --- Shared page plumbing ---------------------------------------------------------------


class InfographicTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.InfographicPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class VideoPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.VideoPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


def topics_for(pages) -> models.QuerySet:
    """The topic tags used by the given pages (of one page type with `tags`), for a
    listing's filter links: one query."""
    tagged = pages.model.tags.through.objects.filter(content_object__in=pages)
    return Tag.objects.filter(pk__in=tagged.values("tag_id")).order_by("name")


class IndexPage(Page):
    """Common shape of the three library index pages: one of each under the home page, an
    intro, and a paginated listing of the one page type allowed below it, filtered by the
    link the reader chose (topic or category)."""

    base_form_class = HocSoPageForm

    intro = models.TextField(_("introduction"), blank=True)
    per_page = 12

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    max_count = 1
    search_fields = [*Page.search_fields, index.SearchField("search_folded")]

    class Meta:
        abstract = True

    def search_folded(self) -> str:
        return fold(f"{self.title} {self.intro}")

    def listed_pages(self) -> PageQuerySet:
        """The pages this index lists: its one child page type's `for_listing()`."""
        (model,) = self.clean_subpage_models()
        return model.objects.for_listing().child_of(self)

    def filtered_page(self, request, context, pages, *, param: str, lookup: str, name: str):
        """Fill `context` with the filter value chosen in ?<param>= (as `name`) and one page
        of `pages`, filtered by `lookup` when a value was chosen."""
        chosen = request.GET.get(param, "")
        if chosen:
            pages = pages.filter(**{lookup: chosen})
        context[name] = chosen
        context["page_obj"] = Paginator(pages, self.per_page).get_page(request.GET.get("trang"))
        return context


class TopicIndexPage(IndexPage):
    """A library whose pages carry topics (infographics, videos), filtered by ?chu-de=."""

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pages = self.listed_pages()
        context["topics"] = topics_for(pages)
        return self.filtered_page(
            request, context, pages, param="chu-de", lookup="tags__slug", name="topic"
        )


class LibraryPage(Page):
    """What the library's pages (infographic, video, news) share: the page form, no pages
    below them, and their text folded for the site search (`search_folded()`, each type's
    own)."""

    base_form_class = HocSoPageForm
    subpage_types = []
    search_fields = [*Page.search_fields, index.SearchField("search_folded")]

    class Meta:
        abstract = True

    def search_folded(self) -> str:
        raise NotImplementedError


def _cards_prefetch(relation: str, queryset, image_field: str) -> Prefetch:
    """What a media card shows besides its page: `relation` (rows of `queryset`) with the
    image in their `image_field` and that image's card renditions."""
    return Prefetch(
        relation,
        queryset=queryset.select_related(image_field).prefetch_related(
            _renditions_prefetch(image_field, CARD_SPECS)
        ),
    )


class MediaPageQuerySet(PageQuerySet):
    def for_listing(self):
        """Use for media cards (home page, libraries): live, public, newest first, with what
        the card shows (the page type's `card_prefetch()`): a constant number of queries."""
        return (
            self.live()
            .filter(public_q())  # .public() without its query (cms.pages: cached)
            .order_by("-first_published_at", "-pk")
            .prefetch_related(self.model.card_prefetch())
        )


class MediaPage(LibraryPage):
    """An infographic or video page: for an audience, with topics (`tags`, each type its
    own, since taggit's through model differs)."""

    # Blank: for everyone (cms.vocabularies).
    audience = models.CharField(
        _("audience"), max_length=20, choices=AUDIENCE_OR_EVERYONE, blank=True, default=""
    )

    objects = PageManager.from_queryset(MediaPageQuerySet)()

    search_fields = [*LibraryPage.search_fields, index.FilterField("audience")]

    class Meta:
        abstract = True

    @classmethod
    def card_prefetch(cls) -> Prefetch:
        """What this type's card shows (`_cards_prefetch`)."""
        raise NotImplementedError


def media_panels(*panels) -> list:
    """A media page's editing form: the title, the type's own `panels`, then who it is for
    and its topics."""
    who_and_what = [FieldPanel("audience"), FieldPanel("tags")]
    return [*Page.content_panels, *panels, MultiFieldPanel(who_and_what, heading=_("Who and what"))]


# --- Infographics -----------------------------------------------------------------------


class InfographicIndexPage(TopicIndexPage):
    subpage_types = ["cms.InfographicPage"]

    class Meta:
        verbose_name = _("infographic library")


class InfographicPage(MediaPage):
    """One infographic: one or more images (each with required alt text), a description,
    topics and an audience. The original image is downloadable; the first image makes the
    Open Graph share card."""

    description = models.TextField(
        _("description"), help_text=_("What the infographic teaches, in one or two sentences.")
    )
    tags = ClusterTaggableManager(
        verbose_name=_("topics"),
        through=InfographicTag,
        blank=True,
        related_name="infographic_pages",
    )

    content_panels = media_panels(
        FieldPanel("description"), InlinePanel("images", label=_("Images"), min_num=1)
    )
    parent_page_types = ["cms.InfographicIndexPage"]
    search_fields = [*MediaPage.search_fields, index.SearchField("description")]

    class Meta:
        verbose_name = _("infographic")
        verbose_name_plural = _("infographics")

    def search_folded(self) -> str:
        alts = " ".join(item.alt_text for item in self.images.all())
        return fold(f"{self.title} {self.description} {alts}")

    @classmethod
    def card_prefetch(cls) -> Prefetch:
        # The card shows the first image.
        return _cards_prefetch("images", InfographicImage.objects, "image")

    @cached_property
    def first_image(self):
        items = list(self.images.all())
        return items[0] if items else None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["items"] = list(
            self.images.select_related("image").prefetch_related(
                _renditions_prefetch("image", [*DETAIL_SPECS, OG_SPEC])
            )
        )
        context["first_item"] = context["items"][0] if context["items"] else None
        return context


class InfographicImage(Orderable):
    """An image of an infographic. Alt text is required (form and database): a screen reader
    user must get the same lesson as a sighted one."""

    page = ParentalKey(InfographicPage, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.PROTECT, related_name="+"
    )
    alt_text = models.CharField(
        _("alt text"),
        max_length=1000,
        help_text=_("Say what the image shows and teaches, for people who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=255, blank=True)

    panels = [FieldPanel("image"), FieldPanel("alt_text"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("infographic image")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(alt_text=""), name="infographic_image_alt_text_required"
            )
        ]

    def clean(self):
        super().clean()
        if not (self.alt_text or "").strip():
            raise ValidationError({"alt_text": _("Alt text is required for every image.")})


# --- Videos -----------------------------------------------------------------------------


class VideoIndexPage(TopicIndexPage):
    subpage_types = ["cms.VideoPage"]

    class Meta:
        verbose_name = _("video library")


class VideoPage(MediaPage):
    """A library page around one Video (the same Video a lesson block may show)."""

    video = models.ForeignKey(
        Video,
        verbose_name=_("video"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="pages",
    )
    intro = models.TextField(_("introduction"), blank=True)
    tags = ClusterTaggableManager(
        verbose_name=_("topics"), through=VideoPageTag, blank=True, related_name="video_pages"
    )

    content_panels = media_panels(FieldPanel("video"), FieldPanel("intro"))
    parent_page_types = ["cms.VideoIndexPage"]
    search_fields = [*MediaPage.search_fields, index.SearchField("intro")]

    class Meta:
        verbose_name = _("video page")
        verbose_name_plural = _("video pages")

    def search_folded(self) -> str:
        transcript = self.video.transcript if self.video_id else ""
        return fold(f"{self.title} {self.intro} {transcript}")

    @classmethod
    def card_prefetch(cls) -> Prefetch:
        # The card shows the video's poster.
        return _cards_prefetch("video", Video.objects, "poster")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["video"] = (
            Video.objects.for_player().filter(pk=self.video_id).first() if self.video_id else None
        )
        return context


# --- News -------------------------------------------------------------------------------


class NewsCategory(models.Model):
    """News, bulletins, announcements...: editors keep the list."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=False)

    panels = [TitleFieldPanel("name", placeholder=False), FieldPanel("slug")]
    base_form_class = NameSlugForm  # slug filled in from the name when left empty

    class Meta:
        verbose_name = _("news category")
        verbose_name_plural = _("news categories")
        ordering = ["name"]

    def __str__(self):
        return self.name


class NewsIndexPage(IndexPage):
    subpage_types = ["cms.NewsPage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pages = self.listed_pages()
        context["categories"] = NewsCategory.objects.filter(pages__in=pages).distinct()
        return self.filtered_page(
            request, context, pages, param="loai", lookup="category__slug", name="category"
        )


class NewsPageQuerySet(PageQuerySet):
    def for_listing(self):
        """Use for news cards: live, public, newest first, with the category: one query."""
        return (
            self.live()
            .filter(public_q())  # .public() without its query (cms.pages: cached)
            .order_by("-date", "-first_published_at")
            .select_related("category")
        )


class NewsPage(LibraryPage):
    """A news article or bulletin (tin tức, bản tin)."""

    date = models.DateField(_("date"), default=timezone.localdate)
    category = models.ForeignKey(
        NewsCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pages",
    )
    intro = models.TextField(_("summary"), max_length=500)
    image = optional_image(_("image"))
    image_alt = models.CharField(_("image alt text"), max_length=500, blank=True)
    body = StreamField(NewsBodyBlock(), verbose_name=_("body"), blank=True)

    objects = PageManager.from_queryset(NewsPageQuerySet)()

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("date"), FieldPanel("category")], heading=_("Publication")),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    search_fields = [
        *LibraryPage.search_fields,
        index.SearchField("intro"),
        index.FilterField("date"),
    ]

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")

    def clean(self):
        super().clean()
        if self.image_id and not self.image_alt.strip():
            raise ValidationError({"image_alt": _("Alt text is required for every image.")})

    def search_folded(self) -> str:
        parts = [self.title, self.intro]
        for block in self.body:
            if block.block_type == "paragraph":
                parts.append(strip_tags(block.value.source))
            elif block.block_type == "callout":
                parts.append(block.value["text"])
        return fold(" ".join(parts))


class OutboxMessage(models.Model):
    """A Celery task to send, written in the same transaction as the change that needs it
    (the transactional outbox, cms/outbox.py). Sent after commit; the beat sweep sends
    again what a dead broker refused. `sent_at` empty = not yet handed to the broker."""

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    queue = models.CharField(max_length=50, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created"],
                name="cms_outbox_unsent",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"
