"""Account pages. Thin: validate, call a service, commit once, answer."""

from __future__ import annotations

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.auth import bp, services, throttle
from app.auth.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmForm,
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    UnlockForm,
)
from app.auth.sessions import end_session, start_session, touch_after_read
from app.core.tokens import TokenError
from app.core.unit_of_work import perform
from app.extensions import db, limiter
from app.main.views import safe_next

bp.after_app_request(touch_after_read)

TOKEN_MESSAGES = {
    "invalid": _l("The link is not valid. Check that you copied the whole address."),
    "expired": _l("The link has expired. Ask for a new one."),
    "used": _l("The link has already been used."),
}

# One answer for every refused sign-in: an unknown address, a wrong password, a paused source
# and a paused account look the same (the page offers the unlock link for the last two).
LOGIN_FAILED_MESSAGE = _l("The e-mail address or password is not correct, or signing in is "
                          "paused for a while after many failed attempts. If you cannot sign "
                          "in, ask for a sign-in link by e-mail or reset your password.")


def _limit(name: str):
    """A rate limit read from the configuration at request time."""
    from flask import current_app

    return lambda: current_app.config["RATE_LIMITS"][name]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_limit("register"), methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("organisations.dashboard"))
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = _current_language()
        # From an invitation: the invited address, and the way back after verifying it.
        form.email.data = request.args.get("email", "")[:254]
        form.next.data = safe_next(request.args.get("next"), "")
    status = 200
    if form.validate_on_submit():
        # The same answer whether or not the address already has an account (the service
        # mails its owner instead): no account enumeration.
        outcome = perform(lambda: services.register_user(
            form.name.data, form.email.data, form.password.data, form.language.data,
            next_path=safe_next(form.next.data, "") or None), form=form)
        if outcome.ok:
            return redirect(url_for("auth.register_done"))
        status = outcome.status
    elif form.errors:
        status = 422
    return render_template("auth/register.html", form=form), status


def _current_language() -> str:
    from app.core.codelists import current_language

    return current_language()


@bp.get("/register/done")
def register_done():
    return render_template("auth/register_done.html")


@bp.route("/verify", methods=["GET", "POST"])
def verify_email():
    """The link in the mail shows a page; the button confirms (no state change on GET)."""
    token = request.values.get("token", "")
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        def verify():
            user = services.verify_email(token)
            if not current_user.is_authenticated:
                start_session(user)
            return user

        try:
            outcome = perform(verify)
        except TokenError as error:  # not a DomainError: the unit of work lets it through
            db.session.rollback()
            return render_template("auth/token_problem.html",
                                   message=TOKEN_MESSAGES[error.reason]), 400
        if not outcome.ok:
            return render_template("auth/token_problem.html",
                                   message=outcome.message), outcome.status
        flash(_l("Thank you! Your e-mail address is verified."), "success")
        # Registered from an invitation: continue there, signed in with the verified address.
        return redirect(safe_next(services.verified_next_path(token),
                                  url_for("organisations.dashboard")))
    return render_template("auth/verify.html", form=form, token=token)


@bp.post("/verify/resend")
@login_required
@limiter.limit(_limit("mail_link"))
def resend_verification():
    if not current_user.is_verified:
        services.send_verification_mail(current_user)
        flash(_l("We sent a new verification link to %(email)s.", email=current_user.email), "info")
    return redirect(safe_next(request.referrer and _same_site_path(request.referrer),
                              url_for("auth.account")))


def _same_site_path(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("login"), methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("organisations.dashboard"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        device_token = request.cookies.get(throttle.device_cookie_name())

        def attempt():
            try:
                user = services.authenticate(form.email.data, form.password.data,
                                             source=request.remote_addr,
                                             device_token=device_token)
            except services.LoginFailed as failure:
                # Returned, not raised: the unit of work commits the failure count and the
                # audit entry although the log-in fails (a rollback would undo the pause).
                return failure
            if not user.is_verified:
                services.send_verification_mail(user)
            start_session(user)
            return user

        outcome = perform(attempt)
        if outcome.ok and isinstance(outcome.value, services.LoginFailed):
            form.form_errors = [LOGIN_FAILED_MESSAGE]
            return render_template("auth/login.html", form=form), 200
        if outcome.ok:
            response = redirect(safe_next(form.next.data, url_for("organisations.dashboard")))
            # This browser is now a known device of the user (see throttle.py).
            throttle.set_device_cookie(response, throttle.make_device_token(outcome.value))
            return response
        outcome.flash()
        status = outcome.status
    elif form.errors:
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/login/unlock", methods=["GET", "POST"])
@limiter.limit(_limit("unlock"), methods=["POST"])
def unlock_request():
    """"Can't sign in?": mail the owner a link that lets this browser past a sign-in pause."""
    return _mail_link_page(UnlockForm(), services.request_unlock_link, "auth/unlock.html",
                           "auth/unlock_done.html")


def _mail_link_page(form, send, template: str, done_template: str):
    """A form that takes an e-mail address and mails a link to it (unlock, password reset):
    the same answer whether or not the address has an account."""
    status = 200
    if form.validate_on_submit():
        outcome = perform(lambda: send(form.email.data), form=form)
        if outcome.ok:
            return render_template(done_template, email=form.email.data)
        status = outcome.status
    elif form.errors:
        status = 422
    return render_template(template, form=form), status


def _use_token(use):
    """Run a service that spends a mailed token: (outcome, None), or (None, the problem page)
    when the token is invalid, expired or used, or the service refused."""
    try:
        outcome = perform(use)
    except TokenError as error:  # not a DomainError: the unit of work lets it through
        db.session.rollback()
        return None, (render_template("auth/token_problem.html",
                                      message=TOKEN_MESSAGES[error.reason]), 400)
    if not outcome.ok:
        return None, (render_template("auth/token_problem.html", message=outcome.message),
                      outcome.status)
    return outcome, None


@bp.route("/login/unlock/confirm", methods=["GET", "POST"])
def unlock_confirm():
    """The link in the mail shows a page; the button (POST) marks this browser as known."""
    token = request.values.get("token", "")
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        outcome, problem = _use_token(lambda: services.use_unlock_link(token))
        if problem:
            return problem
        flash(_l("This browser can now sign in to your account. Sign in with your password."),
              "success")
        response = redirect(url_for("auth.login"))
        throttle.set_device_cookie(response, throttle.make_device_token(outcome.value))
        return response
    return render_template("auth/unlock_confirm.html", form=form, token=token)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        end_session(current_user)
        db.session.commit()
        flash(_l("You have logged out."), "info")
    return redirect(url_for("main.home"))


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    user = current_user._get_current_object()

    def log_out():
        services.logout_everywhere(user)
        end_session(user)

    outcome = perform(log_out)
    if not outcome.ok:
        outcome.flash()
        return redirect(url_for("auth.account"))
    flash(_l("You have been logged out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_limit("mail_link"), methods=["POST"])
def forgot_password():
    return _mail_link_page(ForgotPasswordForm(), services.request_password_reset,
                           "auth/forgot.html", "auth/forgot_done.html")


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_password():
    token = request.values.get("token", "")
    try:
        services.user_for_reset_token(token)
    except TokenError as error:
        return render_template("auth/token_problem.html", message=TOKEN_MESSAGES[error.reason]), 400
    form = ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        def reset():
            start_session(services.reset_password(token, form.password.data))

        try:
            outcome = perform(reset, form=form)
        except TokenError as error:  # used in another tab meanwhile
            db.session.rollback()
            return render_template("auth/token_problem.html",
                                   message=TOKEN_MESSAGES[error.reason]), 400
        if outcome.ok:
            flash(_l("Your password has been changed. Other devices have been logged out."),
                  "success")
            return redirect(url_for("organisations.dashboard"))
        status = outcome.status
    elif form.errors:
        status = 422
    return render_template("auth/reset.html", form=form, token=token), status


@bp.get("/account")
@login_required
def account():
    return _account_page()


def _account_page(profile=None, password=None, email=None, status=200):
    profile = profile or ProfileForm(obj=current_user, formdata=None)
    return render_template(
        "auth/account.html",
        profile_form=profile,
        password_form=password or ChangePasswordForm(formdata=None),
        email_form=email or ChangeEmailForm(formdata=None),
        sessions=sorted(current_user.sessions, key=lambda s: s.created_at, reverse=True),
    ), status


@bp.post("/account/profile")
@login_required
def profile_update():
    form = ProfileForm()
    if not form.validate_on_submit():
        return _account_page(profile=form, status=422)
    outcome = perform(lambda: services.update_profile(current_user, form.name.data,
                                                      form.language.data), form=form)
    if not outcome.ok:
        return _account_page(profile=form, status=outcome.status)
    from flask import session

    session["lang"] = current_user.language
    flash(_l("Your details have been saved."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/password")
@login_required
def password_change():
    form = ChangePasswordForm()
    status = 422
    if form.validate_on_submit():
        outcome = perform(lambda: services.change_password(
            current_user, form.current_password.data, form.password.data), form=form)
        if outcome.ok:
            flash(_l("Your password has been changed. Other devices have been logged out."),
                  "success")
            return redirect(url_for("auth.account"))
        status = outcome.status
    return _account_page(password=form, status=status)


@bp.post("/account/email")
@login_required
@limiter.limit(_limit("mail_link"))
def email_change():
    form = ChangeEmailForm()
    status = 422
    if form.validate_on_submit():
        outcome = perform(lambda: services.request_email_change(
            current_user, form.current_password.data, form.email.data), form=form)
        if outcome.ok:
            flash(_l("We sent a confirmation link to the new address. The change takes effect "
                     "when you open it."), "info")
            return redirect(url_for("auth.account"))
        status = outcome.status
    return _account_page(email=form, status=status)


@bp.route("/account/email/confirm", methods=["GET", "POST"])
def email_confirm():
    token = request.values.get("token", "")
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        _outcome, problem = _use_token(lambda: services.confirm_email_change(token))
        if problem:
            return problem
        flash(_l("Your e-mail address has been changed."), "success")
        return redirect(url_for("auth.account") if current_user.is_authenticated
                        else url_for("auth.login"))
    return render_template("auth/email_confirm.html", form=form, token=token)


@bp.get("/account/data.json")
@login_required
def export_data():
    """GDPR: everything stored about me, as JSON, streamed: the activity log has no cap and
    is read and written in chunks."""
    chunks = services.export_user_data(current_user._get_current_object())
    return Response(stream_with_context(chunks), mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="kohtaamo-my-data.json"',
        "Cache-Control": "no-store"})


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()

        def delete():
            services.delete_account(user, form.current_password.data)
            end_session(user)

        outcome = perform(delete, form=form)
        if outcome.ok:
            flash(_l("Your account has been deleted."), "info")
            return redirect(url_for("main.home"))
        status = outcome.status
    elif form.errors:
        status = 422
    blocking = services.deletion_blockers(current_user)
    return render_template("auth/delete.html", form=form, blocking=blocking), status


