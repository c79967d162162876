"""The phone portal (issue 15; DESIGN "Public contract": ``/portal/`` pages behind a log-in), served by the
intermediary's app: server-rendered, mobile first, no script, Japanese and English.

    login.py                 /portal/login, /portal/logout (the kiosk's throttle and lockout)
    home.py                  /portal/ per role (a consumer's home; producers and issuers to their own)
    producer_registration.py S21-S25: a producer's meters and its intermediary registration (governance)
    issuer.py                an issuer finds and revokes certificates
    consumer_contents.py     S41-S48 transaction contents (contents_form.py checks the fields)
    consumer_allocations.py  allocation history and renewable-share charts (chart.py: inline SVG)
    consumer_certificates.py certificates and their PDFs
    sessions.py              server-side sessions (table portal_sessions), CSRF tokens
    deps.py                  the logged-in account, role guards, the CSRF check
    rendering.py             templates/ in the layout, security headers, the language
    catalogue.py             BASE words (ja/en); consumer_text.py the consumer pages' words
    errors.py                PortalError tree, each shown as a page (mount.py)
    mount.py                 PAGES: the routers, in the order they are matched

How to add a page (e.g. the producer's ``intermediary/portal/producer_meter.py``):

1. A router, with ``include_in_schema=False`` (pages are not the JSON API's contract)::

       router = APIRouter(include_in_schema=False)

   and register it: add ``producer_meter.router`` to ``PAGES`` in ``intermediary/portal/mount.py`` (one line).

2. Require a role with a dependency from ``deps.py`` — ``ConsumerDep``, ``ProducerDep``, ``IssuerDep`` (or
   ``Annotated[Account, Depends(require_role("producer", "issuer"))]``); no session → 303 to the log-in page,
   another role → a 403 page. ``account.provider_id`` is a producer's provider, ``account.consumer_id`` a
   consumer's::

       @router.get("/portal/producer/meter")
       def meter_form(request: Request, account: ProducerDep, db: DbDep) -> HTMLResponse:
           return render(request, "producer/meter.html", account=account, texts=PRODUCER, title="...", ...)

3. Words: a module of your own (``producer_text.py``) with ``PRODUCER: Catalogue = {"en": {...}, "ja": {...}}``
   (same keys in both; ``catalogue.check(PRODUCER) == []`` in a test). Pass it as ``texts=``: the template sees
   ``t`` = ``catalogue.BASE`` plus yours, and ``lang``.

4. Template: ``templates/producer/meter.html``, autoescaped (never ``|safe`` on what came from outside)::

       {% extends "layout.html" %}
       {% block tabs %}<nav class="tabs">...</nav>{% endblock %}   {# optional: your role's tabs #}
       {% block main %}<h1>{{ t.meter_title }}</h1> ... {% endblock %}

   The layout brings the header (language switch, log-out), the inline style sheet (``templates/portal.css``,
   allowed by its hash in the CSP: no ``style=`` attributes, no ``<script>``) and the classes ``section``,
   ``.error``, ``.notice``, ``.field-error``, ``dl.facts``, ``.buttons``, ``.button.secondary``, tables.

5. Every form posts with the session's CSRF token, and the POST route checks it before anything else::

       <form method="post" action="/portal/producer/meter">{{ csrf_field }} ... </form>

       @router.post("/portal/producer/meter", response_model=None, dependencies=[CsrfChecked])
       def register(request: Request, account: ProducerDep, db: DbDep,
                    meter_key: Annotated[str, Form()] = "") -> Response:
           ...  # check every field; on a problem render the form again (status 400), nothing changed
           return redirect(request, "/portal/producer/meter/done")   # 303 after a change

   Take form fields as ``str`` with a default and check them yourself, so bad input is a page, not a 422.

6. Errors: raise a ``PortalError`` subclass (``errors.py``; its ``title_key``/``text_key`` name words in BASE or
   add your own keys to BASE's error set) to answer with a page; ``PageNotFound`` for another account's thing.

7. Tests: ``tests/intermediary/portal/`` — ``tests/helpers/portal.py`` logs in a client (``portal_login``) and
   reads a form's CSRF token (``csrf_of``).
"""
