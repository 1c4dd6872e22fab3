// The participant's page: follows the facilitator's item live (Server-Sent Events, the
// browser reconnects by itself) and votes. Every text is set as text; only the spec's
// HTML, which the server rendered with raw HTML escaped, is put in as HTML.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let view = null;
  let stream = null;
  let renaming = false;
  let closed = false;
  let reopening = null;  // the timer looking for the room again once it closed
  let drawn = "";  // the item and phase whose title and spec are on the page
  let hadVote = false;  // this seat had a vote on the item shown (a re-vote clears it)

  function show(id, on) { $(id).hidden = !on; }
  function text(id, value) { $(id).textContent = value; }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) { throw new Error(data.error || ("The room said " + response.status)); }
    return data;
  }

  function fail(error) { text("error", error.message || String(error)); }

  async function join(spectator) {
    try {
      const data = await post("join", { name: $("name").value, spectator: spectator });
      renaming = false;
      text("error", "");
      render(data);
      listen();
    } catch (error) { fail(error); }
  }

  async function vote(body) {
    if (!view || !view.item) { return; }
    body.item = view.item.id;
    body.phase = view.phase;
    try {
      const data = await post("vote", body);
      text("error", "");
      render(data);
    } catch (error) { fail(error); }
  }

  function button(label, pressed, onclick, data) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.setAttribute("aria-pressed", pressed ? "true" : "false");
    if (data) { for (const k in data) { b.dataset[k] = data[k]; } }
    b.addEventListener("click", onclick);
    return b;
  }

  function renderChoices(v, canVote) {
    const box = $("choices");
    box.replaceChildren();
    const mine = v.mine ? v.mine.vote : "";
    for (const choice of v.choices) {
      const b = button(choice.label, mine === choice.value, () =>
        vote({ vote: choice.value, reason: $("reason").value }), { vote: choice.value });
      b.disabled = !canVote;
      box.appendChild(b);
    }
    if (v.mine && document.activeElement !== $("reason")) {
      $("reason").value = v.mine.reason || "";
    } else if (!v.mine && hadVote) {
      // A re-vote cleared this seat's vote: its old reason goes too (seen walking the
      // room: a phone's "project" went in with the reason it had given for "hiring").
      $("reason").value = "";
    }
    hadVote = !!v.mine;
    $("reason").disabled = !canVote;
  }

  function renderCriteria(v, canVote) {
    const box = $("criteria");
    box.replaceChildren();
    const mine = v.mine || {};
    const marks = [["met", "met"], ["partial", "partial"], ["missing", "missing"]];
    for (const c of v.criteria) {
      const row = document.createElement("div");
      row.className = "criterion";
      const title = document.createElement("p");
      title.textContent = c.number + ". " + c.name;
      const q = document.createElement("p");
      q.className = "q";
      q.textContent = c.question;
      const buttons = document.createElement("div");
      buttons.className = "marks";
      for (const [value, label] of marks) {
        const chosen = mine[String(c.number)] === value;
        const b = button(label, chosen, () =>
          vote({ criterion: c.number, mark: chosen ? null : value }));
        b.disabled = !canVote;
        buttons.appendChild(b);
      }
      row.append(title, q, buttons);
      box.appendChild(row);
    }
  }

  function renderTally(v) {
    const box = $("tally");
    box.replaceChildren();
    const t = v.tally;
    const h = document.createElement("h3");
    if (v.phase === "categorize") {
      h.textContent = "Revealed: " + t.words;
      box.appendChild(h);
      const total = Math.max(1, Object.values(t.counts).reduce((a, b) => a + b, 0));
      for (const [vote, label] of [["hiring", "hiring"], ["project", "project"], ["parked", "park"]]) {
        const row = document.createElement("div");
        row.className = "bar";
        const name = document.createElement("span");
        name.textContent = label;
        const fill = document.createElement("span");
        fill.className = "fill";
        fill.dataset.vote = vote;
        fill.style.width = (100 * t.counts[vote] / total) + "%";
        const count = document.createElement("span");
        count.textContent = String(t.counts[vote]);
        row.append(name, fill, count);
        box.appendChild(row);
      }
      if (t.reasons.length) {
        const list = document.createElement("ul");
        for (const r of t.reasons) {
          const li = document.createElement("li");
          li.textContent = r.vote + ": \u201c" + r.text + "\u201d" + (r.name ? " (" + r.name + ")" : "");
          list.appendChild(li);
        }
        box.appendChild(list);
      }
    } else {
      h.textContent = "Revealed: the room's marks";
      box.appendChild(h);
      const list = document.createElement("ul");
      for (const c of v.criteria) {
        const counts = t.criteria[String(c.number)];
        if (!counts) { continue; }
        const li = document.createElement("li");
        li.textContent = c.number + ". " + c.name + ": " + counts.met + " met, " +
          counts.partial + " partial, " + counts.missing + " missing";
        list.appendChild(li);
      }
      box.appendChild(list);
    }
  }

  function render(v) {
    if (closed) { return; }
    view = v;
    const seat = v.seat;
    show("join", !seat || renaming);
    show("rename", !!seat && !renaming);
    text("who", seat ? (seat.spectator ? "Watching" : "Voting") + (seat.name ? " as " + seat.name : "") : "");
    if (!seat || renaming) {
      show("item", false); show("vote", false); show("criteria", false); show("tally", false); show("idle", false);
      text("progress", "");
      return;
    }
    if (!v.item) {
      show("item", false); show("vote", false); show("criteria", false); show("tally", false);
      show("idle", true);
      text("idle-text", v.phase ? "The facilitator is on " + v.phase + ": nothing to vote on right now." :
        "Waiting for the facilitator to show an item.");
      text("progress", v.joined + " in the room");
      return;
    }
    show("idle", false);
    show("item", true);
    const key = v.phase + "\n" + v.item.id;
    // An event stream sends the spec once an item (`html` absent afterwards).
    if (drawn !== key && v.item.html !== undefined) {
      drawn = key;
      text("item-id", v.item.id + (v.phase === "readiness" ? " · readiness" : " · categorize"));
      text("item-title", v.item.title);
      $("spec").innerHTML = v.item.html;  // rendered by the server with raw HTML escaped
      $("reason").value = "";
      hadVote = false;
      text("error", "");
    }
    const canVote = !seat.spectator && !v.revealed;
    show("vote", v.phase === "categorize" && !seat.spectator);
    show("criteria", v.phase === "readiness" && !seat.spectator);
    if (v.phase === "categorize") { renderChoices(v, canVote); } else { renderCriteria(v, canVote); }
    let progress = v.voted + " of " + v.joined + " voted";
    if (v.decided) { progress += " · decided: " + v.decided; }
    if (!v.revealed) { progress += " · votes stay hidden until the facilitator reveals them"; }
    else if (!seat.spectator) { progress += " · waiting for a re-vote or the next item"; }
    text("progress", progress);
    show("tally", !!v.revealed && !!v.tally);
    if (v.revealed && v.tally) { renderTally(v); }
  }

  function listen() {
    if (stream || closed) { return; }
    if (!window.EventSource) {  // very old browsers: poll
      setInterval(refresh, 3000);
      return;
    }
    stream = new EventSource("events");
    stream.addEventListener("state", (event) => {
      text("link", "Live");
      render(JSON.parse(event.data));
    });
    stream.addEventListener("closed", () => {
      closed = true;
      stream.close();
      stream = null;
      text("link", "The facilitator closed the room. Thank you!");
      text("progress", "The facilitator closed the room: votes are no longer taken. " +
        "If it opens again, this page comes back by itself, in the same seat.");
      for (const b of document.querySelectorAll("button")) { b.disabled = true; }
      // The room may open again (the same link, the same seat): look now and then.
      reopening = setInterval(reopen, 5000);
    });
    stream.onerror = () => { if (!closed) { text("link", "Reconnecting…"); } };
  }

  async function reopen() {
    try {
      const response = await fetch("state", { credentials: "same-origin" });
      if (!response.ok) { return; }
      const data = await response.json();
      clearInterval(reopening);
      closed = false;
      drawn = "";
      for (const b of document.querySelectorAll("button")) { b.disabled = false; }
      text("link", "Live");
      render(data);
      if (data.seat) { listen(); }
    } catch (error) { /* still closed */ }
  }

  async function refresh() {
    try {
      const response = await fetch("state", { credentials: "same-origin" });
      const data = await response.json();
      if (!response.ok) { throw new Error(data.error || "This link is not a room."); }
      text("link", "Live");
      render(data);
      if (data.seat) { listen(); }
    } catch (error) {
      text("link", "Cannot reach the room: " + (error.message || error));
    }
  }

  $("join-vote").addEventListener("click", () => join(false));
  $("join-watch").addEventListener("click", () => join(true));
  $("name").addEventListener("keydown", (e) => { if (e.key === "Enter") { join(false); } });
  $("reason").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && view && view.mine) { vote({ vote: view.mine.vote, reason: $("reason").value }); }
  });
  $("rename").addEventListener("click", () => {
    renaming = true;
    if (view && view.seat) { $("name").value = view.seat.name || ""; }
    render(view);
  });
  // A tab closed (or a reload): the room stops counting this seat a few seconds sooner
  // (a killed browser says nothing; its stream closing does, after a longer grace). A
  // keepalive fetch, not sendBeacon: the beacon's Origin would be "null" under this
  // page's no-referrer policy, and the room takes nothing without its own Origin.
  window.addEventListener("pagehide", () => {
    if (!view || !view.seat || closed) { return; }
    try {
      fetch("leave", { method: "POST", keepalive: true, credentials: "same-origin" });
    } catch (error) { /* going anyway */ }
  });
  refresh();
})();
