// Reads pages (one JSON string a line: a <script type="application/ld+json">
// element as the module wrote it), parses the script's text as JSON and
// expands it with the jsonld processor against the schema.org context
// shipped beside this file (nothing is fetched); prints one JSON line
// per page: {expanded} or {error}.  Used by t/head-jsonld.t.

'use strict';

const fs = require('fs');
const path = require('path');
const jsonld = require('jsonld');

const context = JSON.parse(fs.readFileSync(
    path.join(__dirname, 'schema-context.jsonld'), 'utf8'));

const documentLoader = async (url) => {
    if (/^https?:\/\/schema\.org\/?$/.test(url)) {
        return { contextUrl: null, documentUrl: url, document: context };
    }
    throw new Error('no document loader for ' + url);
};

const lines = fs.readFileSync(0, 'utf8').split('\n').filter((l) => l);

(async () => {
    for (const line of lines) {
        const html = JSON.parse(line);
        const m = /^<script type="application\/ld\+json">(.*)<\/script>\n?$/s
            .exec(html);
        if (!m) {
            console.log(JSON.stringify({ error: 'not one script element' }));
            continue;
        }
        if (/<\/script/i.test(m[1]) || /<!--/.test(m[1])) {
            console.log(JSON.stringify({ error: 'the text can end the script' }));
            continue;
        }
        try {
            const doc = JSON.parse(m[1]);
            const expanded = await jsonld.expand(doc, { documentLoader,
                                                        safe: true });
            console.log(JSON.stringify({ expanded }));
        } catch (e) {
            console.log(JSON.stringify({ error: String(e && e.message || e),
                                         details: e && e.details }));
        }
    }
})();
