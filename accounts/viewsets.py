from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from accounts.forms import UserCreationForm, UserEditForm


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return UserEditForm if for_update else UserCreationForm
