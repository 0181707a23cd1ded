"""The account pages' paths, once for every test that visits them. Literal paths, not
reverse(): the Vietnamese URLs a person types are part of what the tests hold."""

SIGNUP = "/tai-khoan/signup/"
LOGIN = "/tai-khoan/login/"
VERIFY = "/tai-khoan/phone/verify/"  # the SMS code that proves a phone number
CODE = "/tai-khoan/login/code/"  # log-in by a code sent to the phone
CODE_CONFIRM = "/tai-khoan/login/code/confirm/"
PHONE_RESET = "/tai-khoan/quen-mat-khau/so-dien-thoai/"  # a new password by SMS link
PASSWORD_RESET = "/tai-khoan/password/reset/"  # allauth's, by e-mail
