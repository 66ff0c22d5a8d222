"""The provider offer of an application in a service-voucher call: its form and its save
(htmx or plain POST; 422 with the messages at the fields). The rules are in vouchers.py."""

from __future__ import annotations

from flask import flash, redirect
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from app.applications import bp, permissions, vouchers
from app.applications.loaders import get_application_or_404
from app.applications.models import Application
from app.calls.forms import MultiCheckboxField
from app.core.codelists import REGIONS, SERVICE_LANGUAGES
from app.core.fields import CountField
from app.core.forms import BaseForm
from app.core.htmx import is_htmx
from app.core.unit_of_work import perform, refuse

PREFIX = "offer"


class VoucherOfferForm(BaseForm):
    service = TextAreaField(
        _l("The service in plain language"), validators=[Length(max=vouchers.MAX_SERVICE)],
        description=_l("What a jobseeker gets, in words a jobseeker uses: short sentences, no "
                       "abbreviations."))
    method = TextAreaField(
        _l("How it works"), validators=[Length(max=vouchers.MAX_SERVICE)],
        description=_l("The steps of the service and who the jobseeker meets."))
    languages = MultiCheckboxField(_l("Languages the service is given in"))
    locations = TextAreaField(
        _l("Where"), validators=[Length(max=vouchers.MAX_TEXT)],
        description=_l("Towns and addresses, or remote."))
    regions = MultiCheckboxField(_l("Regions served"))
    capacity = CountField(_l("Jobseekers at a time"), maximum=vouchers.MAX_CAPACITY,
                          description=_l("How many jobseekers you can serve at the same time."))
    accessibility = TextAreaField(
        _l("Accessibility"), validators=[Length(max=vouchers.MAX_TEXT)],
        description=_l("Step-free access, hearing loop, remote meetings, interpreting…"))
    contact = StringField(
        _l("Contact for jobseekers and counsellors"),
        validators=[Length(max=vouchers.MAX_CONTACT)],
        description=_l("A name, a phone number or an e-mail address."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, **kwargs)
        self.languages.choices = SERVICE_LANGUAGES.choices()
        self.regions.choices = REGIONS.choices()

    def values(self) -> vouchers.OfferInput:
        return vouchers.OfferInput(
            service=self.service.data or "", method=self.method.data or "",
            languages=list(self.languages.data or []), locations=self.locations.data or "",
            regions=list(self.regions.data or []), capacity=self.capacity.data,
            accessibility=self.accessibility.data or "", contact=self.contact.data or "")


def offer_form(application: Application) -> VoucherOfferForm:
    """The form showing the saved offer."""
    offer = application.voucher_offer
    data = {}
    if offer is not None:
        data = {name: getattr(offer, name) for name in (*vouchers.TEXT_FIELDS, "capacity")}
        data.update(languages=list(offer.languages or []), regions=list(offer.regions or []))
    return VoucherOfferForm(formdata=None, data=data)


@bp.app_context_processor
def _voucher_helpers() -> dict:
    return {"voucher_offer_form": offer_form, "service_languages": SERVICE_LANGUAGES,
            "voucher_missing": vouchers.missing}


def _render(application: Application, form: VoucherOfferForm, status: int = 200, *,
            message=None, failed: bool = False):
    from app.applications.views import render_section

    return render_section("applications/_voucher_offer_response.html", application, status,
                          offer_form=form, offer_message=message, offer_failed=failed)


@bp.post("/calls/applications/<int:application_id>/offer")
@login_required
def application_offer_save(application_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    form = VoucherOfferForm()
    if not form.validate_on_submit():
        outcome = refuse(_l("Check the fields of the provider offer."))
    else:
        outcome = perform(lambda: vouchers.save_offer(current_user, application, form.values()),
                          form=form)
    if outcome.ok:
        message = _l("The provider offer has been saved.")
        if not is_htmx():
            from app.applications.views import detail_url

            flash(message, "success")
            return redirect(detail_url(application, "section-offer"))
        return _render(application, offer_form(application), message=message)
    return _render(get_application_or_404(application_id), form, outcome.status,
                   message=outcome.message, failed=True)
