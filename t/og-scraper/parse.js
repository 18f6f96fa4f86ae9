// Reads an HTML page on stdin, parses it with open-graph-scraper (its
// "html" option: nothing is fetched) and prints the result as JSON.
// Used by t/og-scraper.t.

'use strict';

const ogs = require('open-graph-scraper');

let html = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { html += d; });
process.stdin.on('end', async () => {
    try {
        const { error, result } = await ogs({
            html,
            // Mastodon's author attribution, which ogs does not read itself
            customMetaTags: [{ multiple: true, property: 'fediverse:creator',
                               fieldName: 'fediverseCreator' }],
        });
        process.stdout.write(JSON.stringify({ error, result }) + '\n');
    } catch (e) {
        process.stdout.write(JSON.stringify({ error: true,
                                              result: e.result || null,
                                              message: String(e) }) + '\n');
    }
});
