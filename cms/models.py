"""Site page types and the media library.

Dependency direction: cms is the ground floor and imports no other app of ours. Higher
floors' data (campaign counters, featured courses) reaches the home page only through their
template tags, which the home page template loads when those apps define them.

Page tree: HomePage > InfographicIndexPage > InfographicPage
                    > VideoIndexPage > VideoPage (shows a cms.Video, the same library
                      lesson blocks choose from)
                    > NewsIndexPage > NewsPage (with a NewsCategory)
Every page type has `search_folded()`, indexed as a search field: the page's text folded
(no diacritics, đ→d, lower case) so the site search ignores diacritics on SQLite and
PostgreSQL alike (cms.views.search folds the query the same way).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from cms.blocks import NewsBodyBlock
from cms.text import fold

# Renditions the listings and pages ask for; prefetched together so a listing costs the same
# number of queries for 3 or 300 items. CARD_* are the card images (WebP srcset), OG_* the
# Open Graph share card (JPEG: every social network reads it).
CARD_SPECS = ["width-320|format-webp", "width-640|format-webp", "width-960|format-webp"]
DETAIL_SPECS = [*CARD_SPECS, "width-1280|format-webp"]
OG_SPEC = "fill-1200x630-c0|format-jpeg"
POSTER_SPEC = "width-640|format-webp"


def _image_prefetch(specs):
    from wagtail.images import get_image_model

    rendition_model = get_image_model().get_rendition_model()
    return Prefetch(
        "image__renditions",
        queryset=rendition_model.objects.filter(filter_spec__in=specs),
        to_attr="prefetched_renditions",
    )


def _poster_prefetch(specs):
    from wagtail.images import get_image_model

    rendition_model = get_image_model().get_rendition_model()
    return Prefetch(
        "poster__renditions",
        queryset=rendition_model.objects.filter(filter_spec__in=specs),
        to_attr="prefetched_renditions",
    )


class Audience(models.TextChoices):
    """Who a piece of campaign media is for (the movement's target groups)."""

    EVERYONE = "everyone", _("Everyone")
    CIVIL_SERVANTS = "civil_servants", _("Civil servants and public employees")
    CITIZENS = "citizens", _("Citizens")
    STUDENTS = "students", _("Pupils and students")
    BUSINESSES = "businesses", _("Businesses and household businesses")
    ELDERLY = "elderly", _("Older people")


class HomePage(Page):
    """The site's root page: the campaign's welcome, its headline numbers, featured courses
    and the latest infographics, videos and news."""

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
    from django.template import engines

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
            "renditions", _poster_prefetch([POSTER_SPEC])
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
    poster = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("poster image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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


def topics_for(tag_lookup: str, pages) -> models.QuerySet:
    """The topic tags used by the given pages, for a listing's filter links (one query).
    `tag_lookup` is the through model's reverse name on Tag (taggit's "<app>_<model>_items")."""
    return (
        Tag.objects.filter(**{f"{tag_lookup}__content_object__in": pages})
        .distinct()
        .order_by("name")
    )


class IndexPage(Page):
    """Common shape of the three library index pages: an intro and a paginated listing."""

    intro = models.TextField(_("introduction"), blank=True)
    per_page = 12

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    search_fields = [*Page.search_fields, index.SearchField("search_folded")]

    class Meta:
        abstract = True

    def search_folded(self) -> str:
        return fold(f"{self.title} {self.intro}")

    def paginate(self, request, queryset):
        from django.core.paginator import Paginator

        return Paginator(queryset, self.per_page).get_page(request.GET.get("trang"))

    def topic_listing_context(self, request, context, pages, tag_table: str):
        """Fill `context` with the topic filter (?chu-de=) and one page of `pages`; used by
        the infographic and video libraries, whose tags live in `tag_table`."""
        context["topics"] = topics_for(tag_table, pages)
        topic = request.GET.get("chu-de", "")
        if topic:
            pages = pages.filter(tags__slug=topic)
        context["topic"] = topic
        context["page_obj"] = self.paginate(request, pages)
        return context


# --- Infographics -----------------------------------------------------------------------


class InfographicIndexPage(IndexPage):
    subpage_types = ["cms.InfographicPage"]
    max_count = 1

    class Meta:
        verbose_name = _("infographic library")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pages = InfographicPage.objects.for_listing().child_of(self)
        return self.topic_listing_context(request, context, pages, "cms_infographictag_items")


class InfographicPageQuerySet(PageQuerySet):
    def for_listing(self):
        """Use for infographic cards (home page, library): live, public, newest first, first
        images and their card renditions prefetched: a constant number of queries."""
        return (
            self.live()
            .public()
            .order_by("-first_published_at", "-pk")
            .prefetch_related(
                Prefetch(
                    "images",
                    queryset=InfographicImage.objects.select_related("image").prefetch_related(
                        _image_prefetch(CARD_SPECS)
                    ),
                )
            )
        )


class InfographicPage(Page):
    """One infographic: one or more images (each with required alt text), a description,
    topics and an audience. The original image is downloadable; the first image makes the
    Open Graph share card."""

    description = models.TextField(
        _("description"), help_text=_("What the infographic teaches, in one or two sentences.")
    )
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    tags = ClusterTaggableManager(
        verbose_name=_("topics"),
        through=InfographicTag,
        blank=True,
        related_name="infographic_pages",
    )

    objects = PageManager.from_queryset(InfographicPageQuerySet)()

    content_panels = [
        *Page.content_panels,
        FieldPanel("description"),
        InlinePanel("images", label=_("Images"), min_num=1),
        MultiFieldPanel([FieldPanel("audience"), FieldPanel("tags")], heading=_("Who and what")),
    ]
    parent_page_types = ["cms.InfographicIndexPage"]
    subpage_types = []
    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        index.SearchField("search_folded"),
        index.FilterField("audience"),
    ]

    class Meta:
        verbose_name = _("infographic")
        verbose_name_plural = _("infographics")

    def search_folded(self) -> str:
        alts = " ".join(item.alt_text for item in self.images.all())
        return fold(f"{self.title} {self.description} {alts}")

    @cached_property
    def first_image(self):
        items = list(self.images.all())
        return items[0] if items else None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["items"] = list(
            self.images.select_related("image").prefetch_related(
                _image_prefetch([*DETAIL_SPECS, OG_SPEC])
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


class VideoIndexPage(IndexPage):
    subpage_types = ["cms.VideoPage"]
    max_count = 1

    class Meta:
        verbose_name = _("video library")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pages = VideoPage.objects.for_listing().child_of(self)
        return self.topic_listing_context(request, context, pages, "cms_videopagetag_items")


class VideoPageQuerySet(PageQuerySet):
    def for_listing(self):
        """Use for video cards: live, public, newest first, video, poster and the poster's
        card renditions prefetched: a constant number of queries."""
        return (
            self.live()
            .public()
            .order_by("-first_published_at", "-pk")
            .prefetch_related(
                Prefetch(
                    "video",
                    queryset=Video.objects.select_related("poster").prefetch_related(
                        _poster_prefetch(CARD_SPECS)
                    ),
                )
            )
        )


class VideoPage(Page):
    """A library page around one Video (the same Video a lesson block may show)."""

    video = models.ForeignKey(
        Video,
        verbose_name=_("video"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="pages",
    )
    intro = models.TextField(_("introduction"), blank=True)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    tags = ClusterTaggableManager(
        verbose_name=_("topics"), through=VideoPageTag, blank=True, related_name="video_pages"
    )

    objects = PageManager.from_queryset(VideoPageQuerySet)()

    content_panels = [
        *Page.content_panels,
        FieldPanel("video"),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("audience"), FieldPanel("tags")], heading=_("Who and what")),
    ]
    parent_page_types = ["cms.VideoIndexPage"]
    subpage_types = []
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("search_folded"),
        index.FilterField("audience"),
    ]

    class Meta:
        verbose_name = _("video page")
        verbose_name_plural = _("video pages")

    def search_folded(self) -> str:
        transcript = self.video.transcript if self.video_id else ""
        return fold(f"{self.title} {self.intro} {transcript}")

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

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        verbose_name = _("news category")
        verbose_name_plural = _("news categories")
        ordering = ["name"]

    def __str__(self):
        return self.name


class NewsIndexPage(IndexPage):
    subpage_types = ["cms.NewsPage"]
    max_count = 1

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pages = NewsPage.objects.for_listing().child_of(self)
        context["categories"] = NewsCategory.objects.filter(pages__in=pages).distinct()
        category = request.GET.get("loai", "")
        if category:
            pages = pages.filter(category__slug=category)
        context["category"] = category
        context["page_obj"] = self.paginate(request, pages)
        return context


class NewsPageQuerySet(PageQuerySet):
    def for_listing(self):
        """Use for news cards: live, public, newest first, with the category: one query."""
        return (
            self.live().public().order_by("-date", "-first_published_at").select_related("category")
        )


class NewsPage(Page):
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
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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
    subpage_types = []
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("search_folded"),
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
                parts.append(_strip_tags(block.value.source))
            elif block.block_type == "callout":
                parts.append(block.value["text"])
        return fold(" ".join(parts))


def _strip_tags(html: str) -> str:
    from django.utils.html import strip_tags

    return strip_tags(html)
