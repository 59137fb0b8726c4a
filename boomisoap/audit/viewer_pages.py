"""The viewer's page templates (Jinja, autoescaped) and style sheet."""

from __future__ import annotations

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2733; background: #f6f7f9; }
header { background: #1d2733; color: #fff; padding: .6em 1.2em; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
main { padding: 1em 1.2em; }
form.search { display: flex; flex-wrap: wrap; gap: .5em; align-items: end; margin-bottom: 1em; }
form.search label { display: flex; flex-direction: column; font-size: 12px; color: #556; }
form.search input, form.search select { padding: .3em; min-width: 9em; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #e3e6ea; }
th { background: #eef0f3; font-size: 12px; text-transform: uppercase; color: #556; }
.status { padding: .6em .9em; margin-bottom: 1em; border-radius: 4px; background: #fff; }
.status.ok { border-left: 5px solid #2e8b57; }
.status.broken { border-left: 5px solid #c0392b; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }
.side { background: #fff; padding: .6em; overflow: auto; }
pre { white-space: pre-wrap; word-break: break-all; font: 12px/1.35 ui-monospace, monospace; }
mark.redacted { background: #ffd54f; color: #000; padding: 0 2px; border-radius: 2px;
                outline: 1px solid #e0a800; }
a.button { display: inline-block; padding: .45em .9em; background: #1d6fb8; color: #fff;
           border-radius: 4px; text-decoration: none; }
.outcome-ok { color: #2e8b57; } .outcome-fault, .outcome-transport_error { color: #c0392b; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; }
dl.meta dt { color: #556; }
.hash { font: 11px ui-monospace, monospace; word-break: break-all; }
"""

_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ title }}</title><link rel="stylesheet" href="/style.css"></head>
<body><header><a href="/">boomisoap audit viewer</a> &middot; read-only</header><main>
<div class="status {{ 'ok' if report.ok else 'broken' }}" id="verification">
  <strong>Verification: {{ 'OK' if report.ok else 'BROKEN' }}</strong>
  &mdash; {{ report.reason }}
  {% if not report.ok and report.first_broken %}(first broken record
  {{ report.first_broken }}{% if report.stream %} of stream {{ report.stream }}{% endif %})
  {% endif %}
</div>
"""

_TAIL = "</main></body></html>"

LIST_PAGE = (
    _HEAD.replace("{{ title }}", "Audit records")
    + """
<section id="checkpoints">
{% for stream, cp in checkpoints.items() %}
  <div>Latest signed checkpoint of <strong>{{ stream }}</strong>: {{ cp.size }} records,
  root <span class="hash">{{ cp.root }}</span>, {{ time(cp.time) }}, key {{ cp.key_id }}</div>
{% else %}
  <div>No signed checkpoint in this store.</div>
{% endfor %}
</section>
<form class="search" method="get" action="/">
  <label>since <input name="since" value="{{ form.since }}" placeholder="2026-03-01T12:00"></label>
  <label>until <input name="until" value="{{ form.until }}"></label>
  <label>service <input name="service" value="{{ form.service }}"></label>
  <label>operation <input name="operation" value="{{ form.operation }}"></label>
  <label>object id <input name="object_id" value="{{ form.object_id }}"></label>
  <label>outcome <select name="outcome">
    {% for o in ["", "ok", "fault", "transport_error"] %}
    <option value="{{ o }}" {{ 'selected' if form.outcome == o else '' }}>{{ o or 'any' }}</option>
    {% endfor %}</select></label>
  <label>correlation id <input name="correlation_id" value="{{ form.correlation_id }}"></label>
  <label>stream <input name="stream" value="{{ form.stream }}"></label>
  <button type="submit" id="search">Search</button>
</form>
{% if error %}<p class="error">{{ error }}</p>{% endif %}
<table id="records"><thead><tr><th>seq</th><th>stream</th><th>started</th><th>service</th>
<th>operation</th><th>object ids</th><th>outcome</th><th>status</th><th>correlation id</th>
</tr></thead><tbody>
{% for r in records %}
<tr class="record"><td><a href="/record/{{ r.stream }}/{{ r.seq }}">{{ r.seq }}</a></td>
<td>{{ r.stream }}</td><td>{{ time(r.started_at) }}</td><td>{{ r.service }}</td>
<td>{{ r.operation }}</td><td>{{ r.object_ids | join(", ") }}</td>
<td class="outcome-{{ r.outcome }}">{{ r.outcome }}</td><td>{{ r.status or "" }}</td>
<td>{{ r.correlation_id }}</td></tr>
{% else %}<tr><td colspan="9">No matching record.</td></tr>{% endfor %}
</tbody></table>
{% if more %}<p>Only the first 200 matches are shown: narrow the search.</p>{% endif %}
"""
    + _TAIL
)

RECORD_PAGE = (
    _HEAD.replace("{{ title }}", "Record {{ r.seq }} of {{ r.stream }}")
    + """
<h1>Record {{ r.seq }} of stream {{ r.stream }}</h1>
<p>
{% if provable %}<a class="button" id="download-proof"
   href="/record/{{ r.stream }}/{{ r.seq }}/proof.json" download>Download inclusion proof</a>
 against the checkpoint of {{ checkpoint.size }} records ({{ time(checkpoint.time) }})
{% else %}No signed checkpoint covers this record yet: no proof to download.{% endif %}
</p>
<dl class="meta">
<dt>started</dt><dd>{{ time(r.started_at) }} ({{ r.duration }} s)</dd>
<dt>call</dt><dd>{{ r.service }} {{ r.object_type or "" }} {{ r.operation }} ({{ r.wire }})</dd>
<dt>request</dt><dd>{{ r.method }} {{ mark(r.url) }}</dd>
<dt>outcome</dt><dd class="outcome-{{ r.outcome }}">{{ r.outcome }} {{ r.status or "" }}
  {{ r.fault_code or "" }} {{ r.error_class or "" }}</dd>
<dt>object ids</dt><dd>{{ r.object_ids | join(", ") }}</dd>
<dt>account</dt><dd>{{ r.account_id or "" }}</dd>
<dt>correlation id</dt><dd>{{ r.correlation_id }} (attempt {{ r.attempt }})</dd>
<dt>writer</dt><dd>{{ r.writer }}</dd>
<dt>hash ({{ r.alg }})</dt><dd class="hash">{{ r.hash }}</dd>
</dl>
<div class="sides">
<div class="side" id="request"><h2>Request</h2>
<pre class="headers">{% for k, v in r.request_headers %}{{ k }}: {{ mark(v) }}
{% endfor %}</pre>
<pre class="body">{{ request_text }}</pre></div>
<div class="side" id="response"><h2>Response</h2>
<pre class="headers">{% for k, v in r.response_headers %}{{ k }}: {{ mark(v) }}
{% endfor %}</pre>
<pre class="body">{{ response_text }}</pre></div>
</div>
"""
    + _TAIL
)
