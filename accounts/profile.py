"""The signed-in person's profile page (/tai-khoan/ho-so/, name "profile"): the name to
edit; phone (allauth's change-phone page, SMS code), e-mail, agency (the campaigns floor's
`learner_profile_of` tag), password (allauth's own page) and language (Django's
/i18n/setlang/) as links and read-only facts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from accounts.forms import PersonForm
from accounts.services import user_profile_update


class ProfileForm(PersonForm):
    """The name only. The phone is changed on allauth's change-phone page: the new number
    must answer an SMS code, and a number another account holds gets the same page as any
    other (the old "already used by another account" error told who was registered)."""


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            user_profile_update(user=user, full_name=form.cleaned_data["full_name"])
            messages.success(request, gettext("Your profile is saved."))
            return redirect("profile")
    else:
        form = ProfileForm(initial={"full_name": user.full_name})
    return TemplateResponse(
        request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200
    )
