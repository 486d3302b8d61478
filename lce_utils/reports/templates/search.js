// The report site's search, an enhancement: every page reads and navigates without it.
// Swedish text is indexed with Swedish stemming in ../pagefind/sv/ and English text with English stemming in
// ../pagefind/en/ (lce_utils/reports/search.py). Each bundle is imported from its own URL, so each is its own
// Pagefind instance with its own language, and the hits of both are listed together. Nothing leaves the site.
const form = document.getElementById("lce-search");
const input = document.getElementById("lce-search-q");
const status = document.getElementById("lce-search-status");
const list = document.getElementById("lce-search-results");
const LANGUAGES = ["sv", "en"];
const engines = {};

function engine(lang) {
  if (!engines[lang]) {
    engines[lang] = import(`../pagefind/${lang}/pagefind.js`).then(async (pagefind) => {
      await pagefind.init();
      return pagefind;
    });
  }
  return engines[lang];
}

function decoded(text) {
  // Pagefind escapes the indexed text; DOMParser decodes it without running anything
  return new DOMParser().parseFromString(`<p>${text}</p>`, "text/html").body.textContent;
}

function excerpt(node, text) {
  // matches come marked as <mark>…</mark>; every other part is set as text, never as HTML
  let marked = false;
  for (const part of text.split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>" || part === "</mark>") {
      marked = part === "<mark>";
    } else if (part) {
      const piece = marked ? document.createElement("mark") : document.createElement("span");
      piece.textContent = decoded(part);
      node.append(piece);
    }
  }
}

async function search(query) {
  const terms = query.trim();
  list.replaceChildren();
  if (!terms) {
    status.textContent = "";
    return;
  }
  status.textContent = "Söker … / Searching …";
  const hits = [];
  for (const lang of LANGUAGES) {
    const found = await (await engine(lang)).search(terms);
    const data = await Promise.all(found.results.slice(0, 20).map((result) => result.data()));
    data.forEach((page, i) => hits.push({ lang, score: found.results[i].score, page }));
  }
  hits.sort((a, b) => b.score - a.score);
  const seen = new Set();
  for (const { lang, page } of hits) {
    if (seen.has(page.url)) continue;
    seen.add(page.url);
    const item = document.createElement("li");
    item.lang = lang;
    const link = document.createElement("a");
    link.href = page.url.replace(/^\//, "");  // Pagefind roots the URL; the site may live in a sub-folder
    link.textContent = decoded(page.meta.title || page.url);
    const text = document.createElement("p");
    excerpt(text, page.excerpt);
    item.append(link, text);
    list.append(item);
  }
  status.textContent = `${seen.size} träffar för ”${terms}” / ${seen.size} results for “${terms}”`;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `?q=${encodeURIComponent(input.value)}`);
  search(input.value).catch((error) => { status.textContent = `Sökningen misslyckades / Search failed: ${error}`; });
});
form.dataset.ready = "true";  // from here on a search runs in the page (tests wait for it)
const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  search(initial).catch((error) => { status.textContent = `Sökningen misslyckades / Search failed: ${error}`; });
}
