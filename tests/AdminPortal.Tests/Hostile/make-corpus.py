#!/usr/bin/python3
"""Writes corpus.json: the hostile-input cases HostileCorpusTests runs. Edit the tables here and run it again
(/usr/bin/python3 tests/AdminPortal.Tests/Hostile/make-corpus.py); the JSON is committed so a reader sees every case.

A case: id, category, surface (what is attacked: endpoint + field, or form + field), request ("METHOD /path"),
body (JSON text; $P is the payload JSON-encoded, $RAW the payload as is), payload, expect (an HTTP status, or
"stored": accepted verbatim and then shown escaped on the pages in shownOn), field (for 400: the field errors names).
${NAME} are the lab's values (a host, a user, a canary path...), filled in by HostileLab.
"""
import json, os

cases = []


def add(category, surface, request, body, payload, expect, field=None, **extra):
    case = {"id": f"{category}-{len([c for c in cases if c['category'] == category]) + 1:03d}", "category": category,
            "surface": surface, "request": request}
    if body is not None:
        case["body"] = body
    if payload is not None:
        case["payload"] = payload
    case["expect"] = expect
    if field:
        case["field"] = field
    case.update(extra)
    cases.append(case)


# --- payloads -------------------------------------------------------------------------------------------------------
SHELL = ["x; touch ${CANARY}", "$(touch ${CANARY})", "`touch ${CANARY}`", "x && touch ${CANARY}", "x | touch ${CANARY}",
         "x\ntouch ${CANARY}", "x' ; touch ${CANARY}; echo '", "x\" ; touch ${CANARY}; echo \"", "-oProxyCommand=touch ${CANARY}",
         "x$IFS;touch$IFS${CANARY}"]
SQL = ["x' OR '1'='1", "x'; DROP TABLE vpn_users; --", "1; SELECT pg_sleep(5)--", "' UNION SELECT \"TokenHash\" FROM api_tokens--"]
LDAP = ["*)(uid=*))(|(uid=*", "admin)(&)"]
FORMAT = ["%s%s%s%n", "{0}{1}{2}", "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "<%= 7*7 %>"]
MARKUP = ["<script>alert('${ID}')</script>", "<img src=x onerror=alert('${ID}')>", "\"><svg onload=alert('${ID}')>",
          "'><iframe src=javascript:alert('${ID}')>", "<a href=\"javascript:alert('${ID}')\">${ID}</a>",
          "<b onmouseover=alert('${ID}')>${ID}</b>", "javascript:alert('${ID}')", "<style>*{display:none}</style>${ID}"]

# --- injection into names and fields that reach a shell, SQL or a config file: each refused by its type --------------
names = [
    ("POST /api/v1/vpn-users name", "POST /api/v1/vpn-users", '{"name":$P}', "name"),
    ("POST /api/v1/vpn-profiles name", "POST /api/v1/vpn-profiles", '{"name":$P,"remoteHost":"vpn.example.test","port":1194,"protocol":"udp"}', "name"),
    ("POST /api/v1/hosts name", "POST /api/v1/hosts", '{"name":$P,"address":"127.0.0.1","port":22,"user":"root","credential":"${CRED}"}', "name"),
    ("POST /api/v1/credentials name", "POST /api/v1/credentials", '{"name":$P}', "name"),
    ("POST /api/v1/ca/intermediate name", "POST /api/v1/ca/intermediate", '{"name":$P}', "name"),
    ("POST /api/v1/tokens name", "POST /api/v1/tokens", '{"name":$P,"role":"Auditor"}', "name"),
    ("POST /api/v1/mailboxes address", "POST /api/v1/mailboxes", '{"host":"${MAILHOST}","address":$P}', "address"),
    ("POST /api/v1/vpn-servers name", "POST /api/v1/vpn-servers", '{"name":$P,"host":"${HOST}","profile":"${PROFILE}"}', "name"),
    ("POST /api/v1/onboarding userName", "POST /api/v1/onboarding", '{"userName":$P}', "userName"),
]
for surface, request, body, field in names:
    for p in SHELL[:5] + SQL[:2] + LDAP[:1] + FORMAT[:1]:
        if request == "POST /api/v1/ca/intermediate":
            # A CA's name is its subject's CN, not a shell word (issue 15): this text is a valid name that reaches no shell.
            # Sent as the root's name: accepted by the name rule, refused only because the lab's CA exists; nothing runs.
            add("injection", "POST /api/v1/ca name (a common name: valid, the CA exists)", "POST /api/v1/ca", body, p, "409")
        else:
            add("injection", surface, request, body, p, "400", field)

fields = [
    ("POST /api/v1/hosts address", "POST /api/v1/hosts", '{"name":"h${UNIQ}","address":$P,"port":22,"user":"root","credential":"${CRED}"}', "address"),
    ("POST /api/v1/hosts user", "POST /api/v1/hosts", '{"name":"h${UNIQ}","address":"127.0.0.1","port":22,"user":$P,"credential":"${CRED}"}', "user"),
    ("POST /api/v1/hosts groups[]", "POST /api/v1/hosts", '{"name":"h${UNIQ}","address":"127.0.0.1","port":22,"user":"root","credential":"${CRED}","groups":[$P]}', "groups"),
    ("POST /api/v1/vpn-profiles remoteHost", "POST /api/v1/vpn-profiles", '{"name":"p${UNIQ}","remoteHost":$P,"port":1194,"protocol":"udp"}', "remoteHost"),
    ("POST /api/v1/vpn-servers configDir", "POST /api/v1/vpn-servers", '{"name":"s${UNIQ}","host":"${HOST}","profile":"${PROFILE}","configDir":$P}', "configDir"),
    ("POST /api/v1/vpn-servers serviceName", "POST /api/v1/vpn-servers", '{"name":"s${UNIQ}","host":"${HOST}","profile":"${PROFILE}","serviceName":$P}', "serviceName"),
    ("POST /api/v1/mail-hosts passwdFile", "POST /api/v1/mail-hosts", '{"host":"${UHOST}","backend":"dovecot-passwd-file","passwdFile":$P}', "passwdFile"),
    ("POST /api/v1/runs account.create username", "POST /api/v1/runs", '{"action":"account.create","hosts":["${HOST}"],"confirm":true,"parameters":{"username":$P,"publicKey":"${PUBKEY}"}}', None),
    ("POST /api/v1/runs account.create publicKey", "POST /api/v1/runs", '{"action":"account.create","hosts":["${HOST}"],"confirm":true,"parameters":{"username":"apvalid","publicKey":$P}}', None),
    ("POST /api/v1/runs service.status unit", "POST /api/v1/runs", '{"action":"service.status","hosts":["${UHOST}"],"parameters":{"unit":$P}}', None),
    ("POST /api/v1/runs file.push owner", "POST /api/v1/runs", '{"action":"file.push","hosts":["${HOST}"],"confirm":true,"parameters":{"path":"/tmp/ok","content":"x","owner":$P}}', None),
    ("POST /api/v1/onboarding unixUser", "POST /api/v1/onboarding", '{"userName":"u${UNIQ}","hosts":["${HOST}"],"unixUser":$P,"publicKey":"${PUBKEY}"}', "unixUser"),
    ("PUT /api/v1/settings/smtp host", "PUT /api/v1/settings/smtp", '{"host":$P,"port":25,"security":"none","fromAddress":"portal@example.test"}', "host"),
]
for surface, request, body, field in fields:
    for p in SHELL[:6]:
        add("injection", surface, request, body, "${PUBKEY} " + p if "publicKey" in surface else p, "400", field)

directives = [
    ("POST /api/v1/vpn-profiles clientDirectives[]", "POST /api/v1/vpn-profiles",
     '{"name":"p${UNIQ}","remoteHost":"vpn.example.test","port":1194,"protocol":"udp","clientDirectives":[$P]}', "clientDirectives"),
    ("PUT /api/v1/vpn-servers/{name}/directives serverDirectives[]", "PUT /api/v1/vpn-servers/${VPNSERVER}/directives",
     '{"serverDirectives":[$P]}', "serverDirectives"),
]
for surface, request, body, field in directives:
    for p in ["script-security 2", "up /bin/sh", "verb 3\nup /tmp/x", "plugin /usr/lib/x.so", "verb 3; touch ${CANARY}",
              "route-up \"touch ${CANARY}\"", "--up ${CANARY}", "management 0.0.0.0 7505"]:
        add("injection", surface, request, body, p, "400", field)

templates = [("subject", '{"subject":$P,"textBody":"Hello"}'), ("textBody", '{"subject":"Hi","textBody":$P}'),
             ("htmlBody", '{"subject":"Hi","textBody":"Hello","htmlBody":$P}')]
for field, body in templates:
    for p in ["{{ system 'id' }}", "{{7*7}}", "{{userName.constructor}}", "{{ include '/etc/passwd' }}", "Hi {{ ../../etc/passwd }}"]:
        add("injection", f"PUT /api/v1/notification-templates/{{kind}} {field}", "PUT /api/v1/notification-templates/${KIND}", body, p, "400", field)

for p in SQL + LDAP:  # read filters: parameterised, so hostile text just matches nothing
    add("injection", "GET /api/v1/vpn-users search", "GET /api/v1/vpn-users?search=$URL", None, p, "200")
    add("injection", "GET /api/v1/audit actor", "GET /api/v1/audit?actor=$URL", None, p, "200")

for p in ["x; touch ${CANARY}", "keyCompromise' OR '1'='1", "%n%n%n"]:
    add("injection", "POST /api/v1/vpn-users/{name}/revoke reason", "POST /api/v1/vpn-users/${USER}/revoke", '{"reason":$P}', p, "400", "reason")
for p in ["ovpn; touch ${CANARY}", "../../etc/passwd"]:
    add("injection", "POST /api/v1/vpn-users/{name}/download-links platform", "POST /api/v1/vpn-users/${USER}/download-links",
        '{"profile":"${PROFILE}","platform":$P}', p, "400", "platform")
for p in ["10.8.0.5; touch ${CANARY}", "10.8.0.0/24\npush \"route 0.0.0.0 0.0.0.0\""]:
    add("injection", "PUT /api/v1/vpn-users/{name}/client-config staticAddress", "PUT /api/v1/vpn-users/${USER}/client-config",
        '{"profile":"${PROFILE}","staticAddress":$P}', p, "400", "staticAddress")
    add("injection", "PUT /api/v1/vpn-users/{name}/client-config routes[]", "PUT /api/v1/vpn-users/${USER}/client-config",
        '{"profile":"${PROFILE}","routes":[$P]}', p, "400", "routes")
for p in ["SHA256:$(touch ${CANARY})", "SHA256:" + "A" * 42 + ";"]:
    add("injection", "POST /api/v1/hosts/{name}/trust fingerprint", "POST /api/v1/hosts/${HOST}/trust", '{"fingerprint":$P}', p, "400", "fingerprint")

# Values a type allows on purpose reach the command as one literal argument: the run's output is the value itself.
for p in SHELL[:8]:
    add("injection", "POST /api/v1/runs test.echo text (reaches sshd)", "POST /api/v1/runs",
        '{"action":"test.echo","hosts":["${UHOST}"],"confirm":true,"parameters":{"text":$P}}', p, "stored", echo=True, shownOn=["/runs/${RESULT.id}"])

# A mailbox password may hold any printable character: it is hashed by the portal and the passwd-file goes over stdin; the
# display name may hold an apostrophe. Both reach the mail host's shell script (a real sshd, as root).
for p in ["x'; touch ${CANARY}; echo 'pw", "$(touch ${CANARY}) long enough", "`touch ${CANARY}` long enough"]:
    add("injection", "POST /api/v1/mailboxes password (reaches sshd)", "POST /api/v1/mailboxes",
        '{"host":"${MAILHOST}","address":"m${UNIQ}@example.test","password":$P}', p, "stored")
add("injection", "POST /api/v1/mailboxes displayName (reaches sshd)", "POST /api/v1/mailboxes",
    '{"host":"${MAILHOST}","address":"m${UNIQ}@example.test","displayName":$P}', "O'Brien, d'Arc -- Jr.", "stored")

# --- path traversal ---------------------------------------------------------------------------------------------------
TRAV = ["..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%252F..%252Fetc%252Fpasswd", "%2Fetc%2Fpasswd",
        "..%5C..%5Cwindows%5Cwin.ini", "x%0d%0aSet-Cookie:%20a=b"]
for route in ["GET /api/v1/vpn-users/$RAW", "GET /api/v1/vpn-profiles/$RAW/server-files", "GET /api/v1/hosts/$RAW", "DELETE /api/v1/tokens/$RAW",
              "GET /api/v1/vpn-users/$RAW/bundle?profile=${PROFILE}&platform=ovpn", "GET /d/$RAW"]:
    for p in TRAV:
        add("traversal", route.split(" ")[1].replace("$RAW", "{name}"), route, None, p, "404")
for p in ["../../etc/passwd", "/etc/passwd", "..%2F..%2Fetc%2Fpasswd"]:
    add("traversal", "GET /api/v1/vpn-users/{name}/bundle profile", "GET /api/v1/vpn-users/${USER}/bundle?profile=$URL&platform=ovpn", None, p, "404")
for p in ["/tmp/../etc/passwd", "relative/path", "/tmp/x\u0000/y", "/tmp/./../../root/.ssh/authorized_keys"]:
    add("traversal", "POST /api/v1/runs file.push path", "POST /api/v1/runs",
        '{"action":"file.push","hosts":["${HOST}"],"confirm":true,"parameters":{"path":$P,"content":"x"}}', p, "400")
for p in ["/etc/dovecot/../shadow", "../passwd", "/etc/dovecot/users\u0000"]:
    add("traversal", "POST /api/v1/mail-hosts passwdFile", "POST /api/v1/mail-hosts", '{"host":"${UHOST}","backend":"dovecot-passwd-file","passwdFile":$P}', p, "400", "passwdFile")
for p in ["/etc/openvpn/../../root", "/", "etc/openvpn"]:
    add("traversal", "POST /api/v1/vpn-servers configDir", "POST /api/v1/vpn-servers", '{"name":"s${UNIQ}","host":"${HOST}","profile":"${PROFILE}","configDir":$P}', p, "400", "configDir")
for p in ["/etc/openvpn/../mgmt.sock", "/tmp/" + "x" * 120]:
    add("traversal", "POST /api/v1/vpn-servers managementSocket", "POST /api/v1/vpn-servers", '{"name":"s${UNIQ}","host":"${HOST}","profile":"${PROFILE}","managementSocket":$P}', p, "400", "managementSocket")
for path in ["/appsettings.json", "/..%2Fappsettings.json", "/_framework/..%2F..%2Fappsettings.json", "/pki/..%2F..%2Fetc%2Fpasswd", "/.data/postgres"]:
    add("traversal", "GET static path", "GET " + path, None, None, "404", auth="cookie")

# --- control characters and invalid UTF-8 -----------------------------------------------------------------------------
CTRL = ["a\u0000b", "a\rb", "a\u001b[31mred", "a\u2028b", "a\u007fb", "\u202eevil", "\ufeffname"]
for surface, request, body, field in [names[0], names[2], names[5], names[7]]:
    for p in CTRL:
        add("control", surface, request, body, p, "400", field)
for surface, request, body, field in [
    ("POST /api/v1/operators displayName", "POST /api/v1/operators", '{"email":"op${UNIQ}@example.test","displayName":$P,"role":"Helpdesk"}', "displayName"),
    ("POST /api/v1/operators email", "POST /api/v1/operators", '{"email":$P,"role":"Helpdesk"}', "email"),
    ("POST /api/v1/vpn-users email", "POST /api/v1/vpn-users", '{"name":"u${UNIQ}","email":$P}', "email"),
    ("PUT /api/v1/settings/smtp helpdeskContact", "PUT /api/v1/settings/smtp", '{"host":"127.0.0.1","port":25,"security":"none","fromAddress":"portal@example.test","helpdeskContact":$P}', "helpdeskContact"),
    ("POST /api/v1/onboarding displayName", "POST /api/v1/onboarding", '{"userName":"u${UNIQ}","displayName":$P}', "displayName"),
    ("PUT /api/v1/settings/smtp host", "PUT /api/v1/settings/smtp", '{"host":$P,"port":25,"security":"none","fromAddress":"portal@example.test"}', "host"),
]:
    for p in ["a\u0000b", "a\rb", "a\nBcc: x@example.test", "a\u001bb", "a\u2029b"]:
        add("control", surface, request, body, p, "400", field)
for field, body in [("subject", '{"subject":$P,"textBody":"Hello"}'), ("textBody", '{"subject":"Hi","textBody":$P}'), ("htmlBody", '{"subject":"Hi","textBody":"Hi","htmlBody":$P}')]:
    for p in ["a\u0000b", "a\u001bb"]:
        add("control", f"PUT /api/v1/notification-templates/{{kind}} {field}", "PUT /api/v1/notification-templates/${KIND}", body, p, "400", field)
# JSON escapes PostgreSQL cannot store: a lone surrogate written as \\ud800 in the JSON text.
for surface, request, body in [("POST /api/v1/vpn-users email", "POST /api/v1/vpn-users", '{"name":"u${UNIQ}","email":"a\\ud800@example.test"}'),
                               ("POST /api/v1/operators displayName", "POST /api/v1/operators", '{"email":"op${UNIQ}@example.test","displayName":"x\\udc00","role":"Helpdesk"}'),
                               ("POST /api/v1/onboarding displayName", "POST /api/v1/onboarding", '{"userName":"u${UNIQ}","displayName":"\\ud800"}'),
                               ("PUT /api/v1/notification-templates/{kind} subject", "PUT /api/v1/notification-templates/${KIND}", '{"subject":"\\ud800 lone","textBody":"x"}'),
                               ("PUT /api/v1/settings/smtp helpdeskContact", "PUT /api/v1/settings/smtp", '{"host":"127.0.0.1","port":25,"security":"none","fromAddress":"portal@example.test","helpdeskContact":"\\udbff"}')]:
    add("control", surface + " (lone surrogate escape)", request, body, None, "400")
UTF8 = {"ff fe": "fffe7b7d", "overlong slash": "7b226e616d65223a22c0af227d", "lone continuation": "7b226e616d65223a2280227d",
        "truncated sequence": "7b226e616d65223a22e282227d", "UTF-16 BOM body": "fffe7b0022006e00", "surrogate in UTF-8": "7b226e616d65223a22eda080227d",
        "latin-1 e-acute": "7b226e616d65223a22e9227d"}
for request in ["POST /api/v1/vpn-users", "POST /api/v1/hosts", "POST /api/v1/operators", "PUT /api/v1/settings/smtp", "POST /api/v1/runs", "POST /api/v1/onboarding"]:
    for what, hexbytes in UTF8.items():
        if request != "POST /api/v1/vpn-users" and what not in ("ff fe", "surrogate in UTF-8", "latin-1 e-acute"):
            continue
        add("utf8", f"{request} raw body: {what}", request, None, None, "400", bodyHex=hexbytes)

# --- oversized bodies -------------------------------------------------------------------------------------------------
for request in ["POST /api/v1/vpn-users", "POST /api/v1/vpn-profiles", "POST /api/v1/hosts", "POST /api/v1/credentials", "POST /api/v1/operators",
                "POST /api/v1/tokens", "POST /api/v1/runs", "POST /api/v1/onboarding", "POST /api/v1/mailboxes", "PUT /api/v1/settings/smtp",
                "PUT /api/v1/notification-templates/${KIND}", "POST /api/v1/vpn-servers"]:
    add("oversize", f"{request} body of 70 KiB", request, '{"name":$P}', "x", "413", repeat=70 * 1024)
add("oversize", "POST /api/v1/vpn-users body of 2 MiB", "POST /api/v1/vpn-users", '{"name":$P}', "x", "413", repeat=2 * 1024 * 1024)
add("oversize", "POST /api/v1/ca/import body of 52 MiB", "POST /api/v1/ca/import", None, None, "413", bodyZeros=52 * 1024 * 1024)

# --- markup in every displayed free-text field: stored verbatim, shown escaped ----------------------------------------
for p in MARKUP:
    add("markup", "POST /api/v1/operators displayName", "POST /api/v1/operators", '{"email":"op${UNIQ}@example.test","displayName":$P,"role":"Helpdesk"}',
        p, "stored", shownOn=["/operators"])
for p in MARKUP[:6]:  # the display name is shown in the onboarding email: its HTML part must escape it
    add("markup", "POST /api/v1/onboarding displayName (in the link email)", "POST /api/v1/onboarding",
        '{"userName":"u${UNIQ}","displayName":$P,"email":"n${UNIQ}@example.test","profile":"${PROFILE}","platform":"ovpn"}',
        p, "stored", waitOnboarding=True, shownInEmail=True)
for p in MARKUP[:6]:
    add("markup", "PUT /api/v1/settings/smtp helpdeskContact", "PUT /api/v1/settings/smtp",
        '{"host":"127.0.0.1","port":25,"security":"none","fromAddress":"portal@example.test","helpdeskContact":$P}',
        p, "stored", shownOn=["/settings", "/d/${FRESHLINK}"])
for p in MARKUP[:4]:
    add("markup", "PUT /api/v1/settings/smtp userName", "PUT /api/v1/settings/smtp",
        '{"host":"127.0.0.1","port":25,"security":"none","fromAddress":"portal@example.test","userName":$P}', p, "stored", shownOn=["/settings"])
for p in MARKUP[:4]:
    add("markup", "POST /api/v1/vpn-users email (quoted local part)", "POST /api/v1/vpn-users", '{"name":"u${UNIQ}","email":$P}',
        '"' + p.replace('"', "'").replace(" ", "") + '"@example.test', "stored", shownOn=["/vpn-users/${RESULT.name}"])
for field, body in [("textBody", '{"subject":"Hi","textBody":$P}'), ("htmlBody", '{"subject":"Hi","textBody":"Hello","htmlBody":$P}'),
                    ("subject", '{"subject":$P,"textBody":"Hello"}')]:
    for p in MARKUP[:3]:
        add("markup", f"PUT /api/v1/notification-templates/{{kind}} {field}", "PUT /api/v1/notification-templates/${KIND}", body, p, "stored",
            shownOn=["/notification-templates"])
for p in MARKUP[:5]:
    add("markup", "POST /api/v1/runs test.echo output (remote output)", "POST /api/v1/runs",
        '{"action":"test.echo","hosts":["${UHOST}"],"confirm":true,"parameters":{"text":$P}}', p, "stored", echo=True, shownOn=["/runs/${RESULT.id}"])
for p in [MARKUP[1], MARKUP[2], "<details open ontoggle=alert('${ID}')>"]:  # the audit trail keeps the path URL-encoded: not verbatim
    add("markup", "GET /api/v1/hosts/{name} denied to Helpdesk (path in access.denied)", "GET /api/v1/hosts/$URL", None, p, "403", auth="helpdesk",
        shownOn=["/audit"], shownVerbatim=False)
for p in MARKUP[:4]:
    add("markup", "form /account/login email (echoed)", "FORM /account/login login", None, p, "200", form={"Form.Email": "$RAW", "Form.Password": "wrong password 123"},
        auth="anonymous-browser", expectText="The email or password is not right", escapedInResponse=True)

# --- forged and replayed tokens ---------------------------------------------------------------------------------------
for what, header in [("random bearer token", "Bearer ap_" + "A" * 43), ("empty bearer", "Bearer "), ("JWT with alg none", "Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiQWRtaW4ifQ."),
                     ("Basic scheme", "Basic YWRtaW46YWRtaW4="), ("bearer with SQL", "Bearer ' OR '1'='1"), ("token of 10 KiB", "Bearer " + "A" * 10240),
                     ("bearer with a NUL escape", "Bearer ab%00cd"), ("two tokens", "Bearer a, Bearer b")]:
    add("token", f"Authorization: {what}", "GET /api/v1/me", None, None, "401", authHeader=header)
for what, auth in [("a revoked API token (replayed after DELETE)", "revoked"), ("a token revoked by name, on a write", "revoked")]:
    add("token", what, "GET /api/v1/me" if "write" not in what else "POST /api/v1/tokens", None if "write" not in what else '{"name":"x${UNIQ}","role":"Admin"}',
        None, "401", auth=auth)
add("token", "an Admin cookie session on an API write (no bearer)", "POST /api/v1/tokens", '{"name":"c${UNIQ}","role":"Admin"}', None, "401", auth="cookie")
add("token", "a forged auth cookie", "GET /api/v1/me", None, None, "401", auth="forged-cookie")
for what, path, status, text in [
    ("a guessed download link", "GET /d/${GUESS}", "404", "does not exist"),
    ("a used download link, replayed (page)", "GET /d/${USEDLINK}", "410", None),
    ("a used download link, replayed (download)", "POST /d/${USEDLINK}", "410", None),
    ("a used download link, replayed (OpenVPN Connect import)", "GET /d/${USEDLINK}/profile.ovpn", "410", None),
    ("a revoked download link", "POST /d/${REVOKEDLINK}", "410", None),
    ("a download link cut short by one character", "GET /d/${LINKPREFIX}", "404", "does not exist"),
    ("a download link with a character changed", "POST /d/${LINKFLIP}", "404", "does not exist"),
    ("a download link with CR LF appended", "GET /d/${FRESHLINK}%0d%0a", "404", "does not exist"),
    ("a guessed setup link", "GET /account/setup/${GUESS}", "410", "cannot be used"),
    ("a used setup link, replayed", "GET /account/setup/${USEDSETUP}", "410", "cannot be used"),
    ("a setup link of 200 characters", "GET /account/setup/" + "A" * 200, "410", "cannot be used"),
    ("a setup link with a quote and markup", "GET /account/setup/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", "410", "cannot be used"),
]:
    add("token", what, path, None, None, status, auth="none", expectText=text)
for what, form, status in [("the login form without an antiforgery token", "noantiforgery", "400"),
                           ("the login form with another session's antiforgery token", "foreignantiforgery", "400"),
                           ("logout without an antiforgery token", "logout", "400")]:
    add("token", what, "ANTIFORGERY " + form, None, None, status, auth="anonymous-browser")

# --- the interactive forms (bunit, real services): the refusal is an inline message and nothing is stored -------------
FORMS = [
    ("form IssueUserForm user name", "IssueUserForm issue-button", {"issue-name": "$RAW"}, "A name is 1-64 characters"),
    ("form IssueUserForm email", "IssueUserForm issue-button", {"issue-name": "fu${UNIQ}", "issue-email": "$RAW"}, "is not an email address"),
    ("form AddHostForm name", "AddHostForm host-add", {"host-name": "$RAW", "host-address": "127.0.0.1", "host-user": "root"}, "name must be 1-64"),
    ("form AddHostForm address", "AddHostForm host-add", {"host-name": "fh${UNIQ}", "host-address": "$RAW", "host-user": "root"}, "address must be a host name"),
    ("form AddHostForm login user", "AddHostForm host-add", {"host-name": "fh${UNIQ}", "host-address": "127.0.0.1", "host-user": "$RAW"}, "user must be a unix user name"),
    ("form AddHostForm credential name", "AddHostForm credential-generate", {"credential-name": "$RAW"}, "name must be 1-64"),
    ("form SmtpSettingsForm host", "SmtpSettingsForm smtp-save", {"smtp-host": "$RAW", "smtp-from": "portal@example.test"}, "must be a host name"),
]
for surface, request, form, text in FORMS:
    for category, p in [("injection", SHELL[0]), ("injection", SHELL[1]), ("injection", SQL[1]), ("markup", MARKUP[0]), ("markup", MARKUP[1]),
                        ("control", "a\u0000b"), ("control", "a\u001bb")]:
        if "email" in surface and category == "injection" and p == SQL[1]:
            continue
        add(category, surface, "BUNIT " + request, None, p, "inline", form=form, expectText=text)
for category, p in [("control", "a\u0000b"), ("control", "a\u001bb"), ("control", "a\u2028b")]:
    add(category, "form SmtpSettingsForm helpdesk contact", "BUNIT SmtpSettingsForm smtp-save", None, p, "inline",
        form={"smtp-host": "127.0.0.1", "smtp-from": "portal@example.test", "smtp-helpdesk": "$RAW"}, expectText="helpdesk contact must be one line")

# A CA's name with markup and shell text: a valid common name (issue 15), stored verbatim, shown escaped on the CA page.
add("markup", "POST /api/v1/ca/intermediate name (a common name)", "POST /api/v1/ca/intermediate", '{"name":$P}',
    "<img src=x onerror=alert('${ID}')>`id`;'", "stored", shownOn=["/ca"])

# --- trailing line ends (issue 15): appended last, so that the ids of the cases above stay as they were ---------------
# A valid value with one line end after it: .NET's "$" matches before a final newline, so "^...$" let these through. None may pass.
TRAILING = [("\n", "LF"), ("\r", "CR"), ("\r\n", "CR LF")]
for surface, request, body, field, good in [
    ("POST /api/v1/vpn-users name", "POST /api/v1/vpn-users", '{"name":$P}', "name", "u${UNIQ}"),
    ("POST /api/v1/vpn-profiles name", "POST /api/v1/vpn-profiles", '{"name":$P,"remoteHost":"vpn.example.test","port":1194,"protocol":"udp"}', "name", "p${UNIQ}"),
    ("POST /api/v1/vpn-profiles remoteHost", "POST /api/v1/vpn-profiles", '{"name":"p${UNIQ}","remoteHost":$P,"port":1194,"protocol":"udp"}', "remoteHost", "vpn.example.test"),
    ("POST /api/v1/hosts name", "POST /api/v1/hosts", '{"name":$P,"address":"127.0.0.1","port":22,"user":"root","credential":"${CRED}"}', "name", "h${UNIQ}"),
    ("POST /api/v1/hosts address", "POST /api/v1/hosts", '{"name":"h${UNIQ}","address":$P,"port":22,"user":"root","credential":"${CRED}"}', "address", "127.0.0.1"),
    ("POST /api/v1/hosts user", "POST /api/v1/hosts", '{"name":"h${UNIQ}","address":"127.0.0.1","port":22,"user":$P,"credential":"${CRED}"}', "user", "root"),
    ("POST /api/v1/credentials name", "POST /api/v1/credentials", '{"name":$P}', "name", "c${UNIQ}"),
    ("POST /api/v1/tokens name", "POST /api/v1/tokens", '{"name":$P,"role":"Auditor"}', "name", "t${UNIQ}"),
    ("POST /api/v1/ca/intermediate name", "POST /api/v1/ca/intermediate", '{"name":$P}', "name", "Issuing ${UNIQ}"),
    ("POST /api/v1/mailboxes address (reaches sshd)", "POST /api/v1/mailboxes", '{"host":"${MAILHOST}","address":$P}', "address", "m${UNIQ}@example.test"),
    ("POST /api/v1/mailboxes displayName (reaches sshd)", "POST /api/v1/mailboxes", '{"host":"${MAILHOST}","address":"m${UNIQ}@example.test","displayName":$P}', "displayName", "Ann Trail"),
    ("POST /api/v1/mail-hosts passwdFile", "POST /api/v1/mail-hosts", '{"host":"${UHOST}","backend":"dovecot-passwd-file","passwdFile":$P}', "passwdFile", "/etc/dovecot/users"),
    ("POST /api/v1/vpn-servers name", "POST /api/v1/vpn-servers", '{"name":$P,"host":"${HOST}","profile":"${PROFILE}"}', "name", "s${UNIQ}"),
    ("POST /api/v1/vpn-servers configDir", "POST /api/v1/vpn-servers", '{"name":"s${UNIQ}","host":"${HOST}","profile":"${PROFILE}","configDir":$P}', "configDir", "/etc/openvpn/server/t"),
    ("POST /api/v1/vpn-servers managementSocket", "POST /api/v1/vpn-servers", '{"name":"s${UNIQ}","host":"${HOST}","profile":"${PROFILE}","managementSocket":$P}', "managementSocket", "/run/t.sock"),
    ("POST /api/v1/vpn-servers serviceName", "POST /api/v1/vpn-servers", '{"name":"s${UNIQ}","host":"${HOST}","profile":"${PROFILE}","serviceName":$P}', "serviceName", "openvpn-server@t.service"),
    ("POST /api/v1/vpn-servers user", "POST /api/v1/vpn-servers", '{"name":"s${UNIQ}","host":"${HOST}","profile":"${PROFILE}","user":$P}', "user", "nobody"),
    ("POST /api/v1/onboarding userName", "POST /api/v1/onboarding", '{"userName":$P}', "userName", "u${UNIQ}"),
    ("POST /api/v1/operators email", "POST /api/v1/operators", '{"email":$P,"role":"Helpdesk"}', "email", "op${UNIQ}@example.test"),
    ("POST /api/v1/runs account.create username", "POST /api/v1/runs", '{"action":"account.create","hosts":["${HOST}"],"confirm":true,"parameters":{"username":$P,"publicKey":"${PUBKEY}"}}', None, "apvalid"),
    ("POST /api/v1/runs file.push path", "POST /api/v1/runs", '{"action":"file.push","hosts":["${HOST}"],"confirm":true,"parameters":{"path":$P,"content":"x"}}', None, "/tmp/ok"),
    ("POST /api/v1/runs service.status unit", "POST /api/v1/runs", '{"action":"service.status","hosts":["${UHOST}"],"parameters":{"unit":$P}}', None, "cron.service"),
]:
    for end, what in TRAILING:
        add("control", f"{surface} (trailing {what})", request, body, good + end, "400", field)

os.chdir(os.path.dirname(os.path.abspath(__file__)))
with open("corpus.json", "w") as f:
    json.dump(cases, f, indent=1, ensure_ascii=True)
    f.write("\n")
counts = {}
for c in cases:
    counts[c["category"]] = counts.get(c["category"], 0) + 1
print(len(cases), counts)
