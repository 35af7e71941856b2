// Netroots search: a small UI over Pagefind's JS API, on /search/ only.
// Nothing of Pagefind is fetched until the reader uses the search field (focus, typing)
// or arrives with ?q=.
// A search always needs words: filters alone never run (that would fetch the whole index).

const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const filters = Array.from(form.querySelectorAll("select"));
const pageSize = Number(form.dataset.pageSize) || 10;
const KINDS = {
  diary: "Diary",
  action: "Action",
  job: "Job",
  event: "Event",
  chapter: "Chapter",
  ally: "Ally",
  contact: "Contact",
  page: "Page",
};

let pagefind = null;
let results = [];
let shown = 0;
let run = 0;
let timer = 0;

function load() {
  if (!pagefind) {
    const bundle = new URL(form.dataset.bundle, document.baseURI).href;
    const site = new URL(form.dataset.site, document.baseURI).pathname;
    // The index comes in parts (parts.json lists them): the first is loaded, the others
    // merged into it, so a build re-indexes only the parts where pages changed.
    pagefind = fetch(bundle + "parts.json")
      .then((response) => (response.ok ? response.json() : { parts: [] }))
      .then(async ({ parts }) => {
        const [first, ...others] = parts.length ? parts : [""];
        const module = await import(`${bundle}${first ? `${first}/` : ""}pagefind.js`);
        // noWorker: search on the page; saves the worker's download and start-up.
        await module.options({ baseUrl: site, excerptLength: 30, noWorker: true });
        // All at once: each part's files are fetched side by side (Pagefind keeps them in this order).
        await Promise.all(others.map((part) => module.mergeIndex(`${bundle}${part}/`, { baseUrl: site })));
        module.init();
        return module;
      });
  }
  return pagefind;
}

function chosen() {
  const picked = {};
  for (const select of filters) if (select.value) picked[select.name] = select.value;
  return picked;
}

function remember(query) {
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [name, value] of Object.entries(chosen())) params.set(name, value);
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

// Pagefind marks matches with <mark>; keep only text and those marks.
function excerpt(html) {
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html").body.firstChild;
  const paragraph = document.createElement("p");
  paragraph.className = "search-excerpt";
  for (const node of parsed.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      paragraph.append(mark);
    } else {
      paragraph.append(node.textContent);
    }
  }
  return paragraph;
}

function card(data) {
  const item = document.createElement("li");
  const article = document.createElement("article");
  article.className = "card search-result";
  const heading = document.createElement("h2");
  heading.className = "card-title";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const facts = document.createElement("p");
  facts.className = "byline";
  const kind = (data.filters.kind || [])[0];
  const member = (data.filters.member || [])[0];
  facts.textContent = [KINDS[kind] || kind, member && `@${member}`, data.meta.date].filter(Boolean).join(" · ");
  article.append(heading, facts, excerpt(data.excerpt));
  item.append(article);
  return item;
}

async function showMore() {
  const mine = run;
  const next = await Promise.all(results.slice(shown, shown + pageSize).map((result) => result.data()));
  if (mine !== run) return;
  list.append(...next.map(card));
  shown += next.length;
  more.hidden = shown >= results.length;
}

async function search() {
  clearTimeout(timer);
  const query = input.value.trim();
  const mine = ++run;
  remember(query);
  if (query.length < 2) {
    results = [];
    list.replaceChildren();
    more.hidden = true;
    status.textContent = query || Object.keys(chosen()).length ? "Type at least two letters to search." : "";
    return;
  }
  status.textContent = "Searching…";
  const module = await load();
  const found = await module.search(query, { filters: chosen() });
  if (mine !== run || !found) return;
  results = found.results;
  shown = 0;
  list.replaceChildren();
  await showMore();
  if (mine !== run) return;
  const count = results.length;
  const narrowed = Object.keys(chosen()).length ? " (filtered)" : "";
  status.textContent = count
    ? `${count} result${count === 1 ? "" : "s"} for “${query}”${narrowed}.`
    : `No results for “${query}”${narrowed}. Try fewer or other words.`;
}

function soon() {
  const query = input.value.trim();
  if (query.length >= 2) load().then((module) => module.preload(query, { filters: chosen() }));
  clearTimeout(timer);
  timer = setTimeout(search, 150);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  search();
});
input.addEventListener("input", soon);
input.addEventListener("focus", load, { once: true }); // start Pagefind while the reader types
for (const select of filters) select.addEventListener("change", () => input.value.trim() && search());
more.addEventListener("click", () => {
  const first = shown;
  showMore().then(() => list.children[first]?.querySelector("a")?.focus());
});

// Arrow keys move between the field and the results' links.
form.parentElement.addEventListener("keydown", (event) => {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const links = [input, ...list.querySelectorAll(".card-title a")];
  const at = links.indexOf(document.activeElement);
  if (at < 0) return;
  const to = at + (event.key === "ArrowDown" ? 1 : -1);
  if (to >= 0 && to < links.length) {
    event.preventDefault();
    links[to].focus();
  }
});

const params = new URLSearchParams(location.search);
for (const select of filters) {
  const value = params.get(select.name);
  if (value && Array.from(select.options).some((option) => option.value === value)) select.value = value;
}
if (params.get("q")) {
  input.value = params.get("q");
  search();
}
