/* The event map in the browser: the offline basemap and its labels, the event markers and clusters, the selection
 * and the view kept in the page address, the legend and the time player. Leaflet and Leaflet.markercluster only;
 * every string from an article arrives HTML-escaped from Python and is only joined here. Nothing is fetched but
 * this page's own static folder. */
(function (global) {
  "use strict";

  var GeoMap = {};
  /** Room kept free on every side when the map fits its events (the same on each, so one event is centred):
   *  clear of the zoom buttons above and of the player and the legend below; an opened popup keeps as much room
   *  below it. */
  var FIT_PADDING = [50, 100];
  var DARK = {
    sea: "#16202b", land: "#353a42", coast: "#5b7189", border: "#8a7f8e", admin1: "#4a4652", river: "#2f5677",
    label: "#c7ced6", water: "#86a6c4", halo: "rgba(20,24,30,0.85)"
  };
  var LIGHT = {
    sea: "#cddff0", land: "#f6f3ec", coast: "#7f9cb9", border: "#9b8799", admin1: "#cbbfca", river: "#93b9dc",
    label: "#4b5560", water: "#46729b", halo: "rgba(255,255,255,0.85)"
  };
  GeoMap.palette = LIGHT;
  var themeListeners = [];

  // -- the page around the map ---------------------------------------------------------------------------------

  /** The page whose address holds the view: the Streamlit page above this frame, else this page. */
  function topWindow() {
    try {
      if (global.parent && global.parent !== global && global.parent.location.href) { return global.parent; }
    } catch (e) { /* another origin, or a file opened from disk */ }
    return global;
  }

  function luminance(colour) {
    var m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(colour || "");
    if (!m) { return 1; }
    return (0.299 * m[1] + 0.587 * m[2] + 0.114 * m[3]) / 255;
  }

  /** Whether the page around the map is dark (Streamlit's dark theme), else whether the system prefers dark. */
  function pageIsDark() {
    try {
      var doc = topWindow().document;
      var app = doc.querySelector(".stApp") || doc.body;
      var background = topWindow().getComputedStyle(app).backgroundColor;
      if (background && background !== "rgba(0, 0, 0, 0)") { return luminance(background) < 0.5; }
    } catch (e) { /* no page around */ }
    return !!(global.matchMedia && global.matchMedia("(prefers-color-scheme: dark)").matches);
  }

  /** Follow the page's theme: restyle the map when it turns dark or light. */
  GeoMap.followTheme = function (map) {
    function apply() {
      var dark = pageIsDark();
      if ((GeoMap.palette === DARK) === dark && map._geoThemed) { return; }
      map._geoThemed = true;
      GeoMap.palette = dark ? DARK : LIGHT;
      L.DomUtil[dark ? "addClass" : "removeClass"](map.getContainer(), "geo-dark");
      themeListeners.forEach(function (listener) { listener(); });
    }
    apply();
    setInterval(apply, 1500);
  };

  // -- the offline basemap ---------------------------------------------------------------------------------------

  /** Where the tiles come from: the static folder (fetched as needed) or an object inlined in the page. */
  function tileSource(opts) {
    var cache = {};
    var meta = opts.inline ? Promise.resolve(opts.inline) : fetch(opts.base + "/index.json").then(function (r) {
      if (!r.ok) { throw new Error("no basemap index"); }
      return r.json();
    });
    var known = meta.then(function (m) {
      var sets = {};
      Object.keys(m.index || {}).forEach(function (z) { sets[z] = new Set(m.index[z]); });
      return {meta: m, sets: sets};
    });
    return function (coords) {
      return known.then(function (k) {
        var top = k.meta.maxZoom, zoom = Math.min(coords.z, top), scale = Math.pow(2, coords.z - zoom);
        var n = Math.pow(2, coords.z), x = ((coords.x % n) + n) % n, y = coords.y;
        if (y < 0 || y >= n) { return null; }
        var ax = Math.floor(x / scale), ay = Math.floor(y / scale), key = zoom + "/" + ax + "/" + ay;
        var place = {extent: k.meta.extent, scale: scale, ox: x - ax * scale, oy: y - ay * scale};
        if (opts.inline) { place.data = k.meta.tiles[key] || {}; return place; }
        if (!k.sets[zoom] || !k.sets[zoom].has(ax * Math.pow(2, zoom) + ay)) { place.data = {}; return place; }
        if (!cache[key]) {
          cache[key] = fetch(opts.base + "/tiles/" + key + ".json").then(function (r) { return r.ok ? r.json() : {}; });
        }
        return cache[key].then(function (data) { place.data = data; return place; });
      });
    };
  }

  function tracePolygons(ctx, polygons, f) {
    ctx.beginPath();
    polygons.forEach(function (rings) {
      rings.forEach(function (ring) {
        ctx.moveTo(f(ring[0], 0), f(ring[1], 1));
        for (var i = 2; i < ring.length; i += 2) { ctx.lineTo(f(ring[i], 0), f(ring[i + 1], 1)); }
        ctx.closePath();
      });
    });
  }

  function traceLines(ctx, lines, f) {
    ctx.beginPath();
    lines.forEach(function (line) {
      ctx.moveTo(f(line[0], 0), f(line[1], 1));
      for (var i = 2; i < line.length; i += 2) { ctx.lineTo(f(line[i], 0), f(line[i + 1], 1)); }
    });
  }

  function drawTile(canvas, place, size, zoom) {
    var p = GeoMap.palette, ctx = canvas.getContext("2d"), ratio = canvas.width / size;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = p.sea;
    ctx.fillRect(0, 0, size, size);
    if (!place || !place.data) { return; }
    var d = place.data, k = size * place.scale / place.extent;
    var f = function (v, axis) { return v * k - (axis ? place.oy : place.ox) * size; };
    if (d.land) { ctx.fillStyle = p.land; tracePolygons(ctx, d.land, f); ctx.fill("evenodd"); }
    if (d.lakes) { ctx.fillStyle = p.sea; tracePolygons(ctx, d.lakes, f); ctx.fill("evenodd"); }
    ctx.lineJoin = "round";
    if (d.rivers && zoom >= 4) { ctx.strokeStyle = p.river; ctx.lineWidth = 0.8; traceLines(ctx, d.rivers, f); ctx.stroke(); }
    if (d.admin1) {
      ctx.strokeStyle = p.admin1; ctx.lineWidth = 0.7; ctx.setLineDash([3, 2]);
      traceLines(ctx, d.admin1, f); ctx.stroke(); ctx.setLineDash([]);
    }
    if (d.coast) { ctx.strokeStyle = p.coast; ctx.lineWidth = zoom >= 5 ? 1 : 0.7; traceLines(ctx, d.coast, f); ctx.stroke(); }
    if (d.borders) { ctx.strokeStyle = p.border; ctx.lineWidth = zoom >= 4 ? 1.2 : 0.8; traceLines(ctx, d.borders, f); ctx.stroke(); }
  }

  var BasemapLayer = L.GridLayer.extend({
    initialize: function (source, options) {
      this._source = source;
      L.GridLayer.prototype.initialize.call(this, options);
    },
    createTile: function (coords, done) {
      var size = this.getTileSize().x, ratio = Math.min(global.devicePixelRatio || 1, 2);
      var canvas = L.DomUtil.create("canvas", "geo-basetile");
      canvas.width = canvas.height = size * ratio;
      canvas._coords = coords;
      this._source(coords).then(function (place) {
        canvas._place = place;
        drawTile(canvas, place, size, coords.z);
        done(null, canvas);
      }, function (err) { drawTile(canvas, null, size, coords.z); done(null, canvas); });
      return canvas;
    },
    repaint: function () {
      var size = this.getTileSize().x;
      Object.keys(this._tiles).forEach(function (key) {
        var canvas = this._tiles[key].el;
        drawTile(canvas, canvas._place, size, canvas._coords.z);
      }, this);
    }
  });

  /** The offline basemap: land, seas, coasts, borders, divisions, lakes and rivers, drawn from vector tiles. */
  GeoMap.basemap = function (map, opts) {
    var pane = map.getPane("geo-basemap") || map.createPane("geo-basemap");
    pane.style.zIndex = 150;
    var layer = new BasemapLayer(tileSource(opts), {pane: "geo-basemap", maxNativeZoom: 18, keepBuffer: 2});
    themeListeners.push(function () { layer.repaint(); });
    GeoMap.basemapLayer = layer;
    GeoMap.basemapOptions = opts;
    if (opts.attribution && map.attributionControl) { map.attributionControl.addAttribution(opts.attribution); }
    if (opts.show !== false) { GeoMap.showBasemap(map); }
    return layer;
  };

  /** Draw the offline basemap (at once, or when online tiles fail) with its labels. */
  GeoMap.showBasemap = function (map) {
    if (!GeoMap.basemapLayer || map.hasLayer(GeoMap.basemapLayer)) { return; }
    GeoMap.basemapLayer.addTo(map);
    GeoMap.labels(map, GeoMap.basemapOptions);
  };

  // -- labels: oceans, countries, seas, capitals and cities that fit without overlapping ------------------------

  var LABEL_STYLE = {ocean: [10.5, 15], country: [7.6, 13], capital: [6.4, 13], sea: [6.6, 12], city: [6, 12]};

  GeoMap.labels = function (map, opts) {
    var pane = map.getPane("geo-labels") || map.createPane("geo-labels");
    pane.style.zIndex = 420;
    pane.style.pointerEvents = "none";
    var box = L.DomUtil.create("div", "geo-labelbox", pane);
    var loaded = opts.inline ? Promise.resolve(opts.inline.labels || []) : fetch(opts.base + "/labels.json").then(
      function (r) { return r.ok ? r.json() : []; }, function () { return []; });
    var labels = [];
    function place() {
      var zoom = map.getZoom(), size = map.getSize(), center = map.getCenter().lng;
      var taken = [], html = [], bounds = map.getBounds().pad(0.05);
      for (var i = 0; i < labels.length && taken.length < 180; i++) {
        var label = labels[i], kind = label[0];
        if (label[4] > zoom + 0.01) { continue; }
        var lon = label[2] + 360 * Math.round((center - label[2]) / 360);
        var at = L.latLng(label[3], lon);
        if (!bounds.contains(at)) { continue; }
        var point = map.latLngToContainerPoint(at), style = LABEL_STYLE[kind] || LABEL_STYLE.city;
        var half = Math.min(label[1].length * style[0], 220) / 2 + 3, high = style[1] / 2 + 2;
        var dot = kind === "city" || kind === "capital";
        var r = {x0: point.x - (dot ? 4 : half), x1: point.x + (dot ? 2 * half : half), y0: point.y - high, y1: point.y + high};
        if (r.x0 < 0 || r.y0 < 0 || r.x1 > size.x || r.y1 > size.y) { continue; }
        var clash = taken.some(function (t) { return r.x0 < t.x1 && r.x1 > t.x0 && r.y0 < t.y1 && r.y1 > t.y0; });
        if (clash) { continue; }
        taken.push(r);
        var layerPoint = map.latLngToLayerPoint(at);
        html.push("<div class='geo-label geo-" + kind + "' style='left:" + Math.round(layerPoint.x) + "px;top:" +
          Math.round(layerPoint.y) + "px'>" + (dot ? "<i></i>" : "") + "<span>" + label[1] + "</span></div>");
      }
      box.innerHTML = html.join("");
      box.style.display = "";
      settle(box);
    }
    loaded.then(function (found) { labels = found.map(function (l) { return [l[0], escapeText(l[1]), l[2], l[3], l[4]]; }); place(); });
    map.on("zoomstart", function () { box.style.display = "none"; });
    map.on("moveend zoomend resize", place);
  };

  /** The exact pass: hide any label that still overlaps one placed before it (widths were estimated). */
  function settle(box) {
    var kept = [];
    Array.prototype.forEach.call(box.children, function (label) {
      var r = label.getBoundingClientRect();
      var clash = kept.some(function (k) { return r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top; });
      if (clash) { label.style.display = "none"; } else { kept.push(r); }
    });
  }

  function escapeText(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
    });
  }

  // -- events ----------------------------------------------------------------------------------------------------

  GeoMap.markers = {};
  GeoMap.selected = null;
  GeoMap.allMarkers = [];

  function eventIcon(ctx, sev, type, broad, selected) {
    var size = ctx.sizes[sev];
    var classes = "geo-ev geo-sev" + sev + (broad ? " geo-broad" : "") + (selected ? " geo-selected" : "");
    return L.divIcon({
      className: classes, iconSize: [size, size],
      html: "<span>" + ctx.codes[type] + "</span>"
    });
  }

  /** A round icon for several events: their number on a ring of their severities, the worst giving its class. */
  function groupIcon(ctx, counts, total, extraClass) {
    var worst = 1, start = 0, stops = [];
    for (var level = 5; level >= 1; level--) {
      if (!counts[level]) { continue; }
      var end = start + 360 * counts[level] / total;
      stops.push(ctx.colours[level] + " " + start.toFixed(1) + "deg " + end.toFixed(1) + "deg");
      start = end;
    }
    for (var l = 5; l >= 1; l--) { if (counts[l]) { worst = l; break; } }
    var size = total < 10 ? 34 : total < 100 ? 40 : total < 1000 ? 46 : total < 10000 ? 52 : 58;
    return L.divIcon({
      className: "geo-cluster geo-worst" + worst + (extraClass ? " " + extraClass : ""), iconSize: [size, size],
      html: "<div style='background:conic-gradient(" + stops.join(",") + ")'><span>" + total.toLocaleString() +
        "</span></div>"
    });
  }

  function clusterIcon(ctx) {
    return function (cluster) {
      var counts = [0, 0, 0, 0, 0, 0], markers = cluster.getAllChildMarkers();
      for (var i = 0; i < markers.length; i++) { counts[markers[i].options.severity] += 1; }
      return groupIcon(ctx, counts, markers.length);
    };
  }

  var INK = ["", "#fff", "#fff", "#1d1d1d", "#1d1d1d", "#fff"];

  function chip(ctx, sev) {
    return "<span class='geo-chip' style='background:" + ctx.colours[sev] + ";color:" + INK[sev] +
      ";padding:1px 7px;border-radius:9px;font-weight:600'>" + ctx.severityNames[sev] + "</span>";
  }

  /** A short popup made here from the columns, when the page shows the details beside the map. */
  function shortPopup(c, i, ctx) {
    return "<div class='geo-popup'><b>" + c.title[i] + "</b><br>" + chip(ctx, c.sev[i]) + " " + ctx.names[c.type[i]] +
      (c.broad[i] ? "<br><em>" + ctx.broadNote + "</em>" : "") + reports(c, i, "<br>") +
      (ctx.hint ? "<br><small>" + ctx.hint + "</small>" : "") + "</div>";
  }

  function tooltip(c, i, ctx) {
    var where = c.broad[i] ? "<br><em>" + ctx.broadNote + "</em>" : "";
    return "<span hidden>event:" + c.id[i] + "\n</span><b>" + c.title[i] + "</b><br>" + ctx.names[c.type[i]] +
      " \u00b7 " + ctx.severityNames[c.sev[i]] + where + reports(c, i, "<br>");
  }

  /** "3 reports from 2 sources" (escaped by the server) when several stories tell the event of row ``i``. */
  function reports(c, i, before) {
    return c.reports && c.reports[i] ? before + c.reports[i] : "";
  }

  /** The marker of row ``i`` of the columns ``c`` (coloured by severity, marked with its type's code). */
  function makeMarker(c, i, ctx) {
    var marker = L.marker([c.lat[i], c.lon[i]], {
      icon: eventIcon(ctx, c.sev[i], c.type[i], c.broad[i], c.id[i] === GeoMap.selected), keyboard: true,
      riseOnHover: true, severity: c.sev[i], eventId: c.id[i], day: c.day[i], typeIndex: c.type[i], broad: c.broad[i],
      label: c.title[i] + ", " + ctx.names[c.type[i]] + ", " + ctx.severityNames[c.sev[i]]
    });
    marker.on("add", labelIcon);
    marker.bindTooltip(tooltip(c, i, ctx), {className: "geo-tip", direction: "top", offset: [0, -ctx.sizes[c.sev[i]] / 2]});
    marker.bindPopup(c.popup ? c.popup[i] : shortPopup(c, i, ctx), {
      maxWidth: 300, autoPanPaddingTopLeft: [20, 20], autoPanPaddingBottomRight: [20, FIT_PADDING[1]]
    });
    marker.on("click", onMarkerClick);
    marker.on("keypress", onMarkerKey);
    if (c.id[i] === GeoMap.selected) { marker.setZIndexOffset(10000); }
    return marker;
  }

  function makeMarkers(c, ctx) {
    var markers = [];
    for (var i = 0; i < c.id.length; i++) {
      var marker = makeMarker(c, i, ctx);
      GeoMap.markers[c.id[i]] = marker;
      markers.push(marker);
    }
    return markers;
  }

  /** An empty group for event markers: clustered (``GeoMap.loaded`` tells when it has taken them all in) or not. */
  function eventGroup(ctx) {
    if (!ctx.cluster) { return L.featureGroup(); }
    return L.markerClusterGroup({
      chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 45, spiderfyOnMaxZoom: true,
      iconCreateFunction: clusterIcon(ctx),
      chunkProgress: function (done, total) { GeoMap.loaded = done >= total; }
    });
  }

  /** The events of columns ``c`` as markers, clustered or not (a map made with its events inside it). */
  GeoMap.events = function (map, c, ctx) {
    var markers = makeMarkers(c, ctx), group = eventGroup(ctx);
    GeoMap.loaded = !ctx.cluster || markers.length === 0;
    if (ctx.cluster) {
      group.once("add", function () { group.addLayers(markers); });
    } else {
      markers.forEach(function (m) { group.addLayer(m); });
    }
    GeoMap.group = group;
    GeoMap.context = ctx;
    GeoMap.allMarkers = markers;
    return group;
  };

  /** Name the marker for screen readers (its text is only the type's code). */
  function labelIcon() {
    if (this._icon) { this._icon.setAttribute("aria-label", this.options.label.replace(/<[^>]*>/g, "")); }
  }

  /** Enter on a focused marker does what a click does (the page reruns to show the event). */
  function onMarkerKey(e) {
    if (e.originalEvent && (e.originalEvent.key === "Enter" || e.originalEvent.keyCode === 13)) {
      e.target.fire("click", {latlng: e.target.getLatLng(), originalEvent: e.originalEvent}, true);
    }
  }

  function onMarkerClick(e) {
    GeoMap.select(e.target.options.eventId, {open: true, reveal: false, write: true});
  }

  function restyle(id, selected) {
    var marker = GeoMap.markers[id], ctx = GeoMap.context;
    if (!marker || !ctx) { return; }
    var o = marker.options;
    marker.setIcon(eventIcon(ctx, o.severity, o.typeIndex, o.broad, selected));
    labelIcon.call(marker);
    marker.setZIndexOffset(selected ? 10000 : 0);
  }

  /** Select an event: ring it, open its popup, and (``reveal``) bring it into view; (``write``) put it in the URL.
   * On a live map an event that is not drawn is asked of the server first. */
  GeoMap.select = function (id, how) {
    how = how || {};
    var marker = GeoMap.markers[id];
    if (GeoMap.selected && GeoMap.selected !== id) { restyle(GeoMap.selected, false); }
    GeoMap.selected = id;
    if (!marker && GeoMap.fetchEvent && !how.fetched) {
      GeoMap.fetchEvent(id).then(function (found) {
        if (found && GeoMap.selected === id) { GeoMap.select(id, L.extend({}, how, {fetched: true})); }
      });
      if (how.write) { writeParams({event: id}); }
      return true;
    }
    if (!marker) { GeoMap.selected = null; return false; }
    restyle(id, true);
    var open = function () {
      // A popup pans the map to itself: one for an event outside a view the link asked for would lose that view.
      var shown = how.reveal || (marker._map && marker._map.getBounds().contains(marker.getLatLng()));
      if (how.open && shown && marker.getPopup()) { marker.openPopup(); }
    };
    var group = GeoMap.group;
    var clustered = group && group.zoomToShowLayer && group.hasLayer(marker);
    if (how.reveal && clustered && !GeoMap.loaded) {
      // The clusters are still taking in the markers (a few seconds for 100,000): try again shortly.
      var tries = (how.tries || 0) + 1;
      if (tries < 100) { setTimeout(function () { GeoMap.select(id, L.extend({}, how, {tries: tries})); }, 300); }
      return true;
    }
    if (how.reveal && clustered) {
      group.zoomToShowLayer(marker, open);
    } else if (how.reveal && !marker._map && marker._mapToAdd) {
      marker._mapToAdd.setView(marker.getLatLng());
      open();
    } else {
      var map = marker._map;
      if (how.reveal && map && (how.centre || !map.getBounds().contains(marker.getLatLng()))) {
        map.setView(marker.getLatLng(), Math.max(map.getZoom(), how.zoom || 0));
      }
      open();
    }
    if (how.write) { writeParams({event: id}); }
    return true;
  };

  /** A place a story mentions: a small dot joined to its event by a thin dashed line, in the event's colour. */
  GeoMap.drawPlace = function (c, i, ctx) {
    var colour = ctx.colours[c.sev[i]];
    var line = L.polyline([[c.fromLat[i], c.fromLon[i]], [c.lat[i], c.lon[i]]],
      {color: colour, weight: 1, opacity: 0.7, dashArray: "4 4", interactive: false});
    var dot = L.circleMarker([c.lat[i], c.lon[i]],
      {radius: 3, color: colour, weight: 1.5, fillColor: "#ffffff", fillOpacity: 1});
    dot.bindTooltip("<span hidden>event:" + c.id[i] + "\n</span>" + c.name[i]);
    return L.featureGroup([line, dot]);
  };

  /** A cell of the density layer, more opaque the more events it holds. */
  GeoMap.drawDensity = function (c, i, ctx) {
    var south = c.south[i], west = c.west[i];
    return L.rectangle([[south, west], [south + ctx.size, west + ctx.size]], {
      stroke: false, fillColor: ctx.colour, interactive: false,
      fillOpacity: 0.08 + 0.6 * Math.sqrt(c.count[i] / ctx.max)
    });
  };

  // -- the live map: what the view shows, asked of the page's server ----------------------------------------------

  var VIEW_KEYS = ["lat", "lon", "zoom", "event", "live"];  // the address's parameters that are no filters
  /** Milliseconds between looks at the store's version (the page itself looks as often: dashboard.py). */
  var FOLLOW_MS = 2000;

  /** The filters of the page address (its query without the view and the selection), in a stable order. */
  function filterQuery() {
    var params = readParams(), kept = [];
    params.forEach(function (value, key) { if (VIEW_KEYS.indexOf(key) < 0) { kept.push([key, value]); } });
    kept.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0; });
    return kept.map(function (kv) { return encodeURIComponent(kv[0]) + "=" + encodeURIComponent(kv[1]); }).join("&");
  }

  function isoDay(dayNumber) { return new Date(dayNumber * 86400000).toISOString().slice(0, 10); }

  /** The area marker of row ``i``: how many events, their severities, their main types; a click zooms in. */
  function areaMarker(map, a, i, ctx) {
    var counts = [0, a.s1[i], a.s2[i], a.s3[i], a.s4[i], a.s5[i]], total = a.count[i];
    var marker = L.marker([a.lat[i], a.lon[i]], {icon: groupIcon(ctx, counts, total, "geo-area"), keyboard: true});
    var types = a.types[i].map(function (t) { return ctx.names[t[0]] + " " + t[1].toLocaleString(); }).join(" \u00b7 ");
    marker.bindTooltip("<b>" + total.toLocaleString() + " events</b><br>worst: " + ctx.severityNames[a.worst[i]] +
      "<br>" + types + "<br><small>click to zoom in</small>", {className: "geo-tip", direction: "top"});
    marker.on("add", function () {
      if (this._icon) { this._icon.setAttribute("aria-label", total + " events here; click to zoom in"); }
    });
    marker.on("click", function () { map.setView(marker.getLatLng(), Math.min(map.getZoom() + 2, 18)); });
    return marker;
  }

  function drawAll(group, c, draw, ctx) {
    group.clearLayers();
    var n = c ? (c.lat || c.south || []).length : 0;
    for (var i = 0; i < n; i++) { group.addLayer(draw(c, i, ctx)); }
  }

  /** A line under the map's corner saying what the view shows (or that it failed). */
  function statusControl(map) {
    var control = L.control({position: "bottomleft"});
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "geo-status");
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    return function (text, failed) {
      var box = control.getContainer();
      box.textContent = text;
      L.DomUtil[failed ? "addClass" : "removeClass"](box, "geo-failed");
    };
  }

  /** Ask the server at ``opts.api`` for what the view shows whenever the view or the page's filters change: the
   * events themselves (clustered as usual) when few enough are in view, else the number of events per area. */
  GeoMap.live = function (map, opts) {
    var ctx = opts.context;
    GeoMap.context = ctx;
    GeoMap.loaded = false;
    var events = eventGroup(ctx).addTo(map), areas = L.featureGroup().addTo(map);
    var extras = L.featureGroup().addTo(map), lone = L.featureGroup().addTo(map);
    GeoMap.group = events;
    var status = statusControl(map);
    var state = {fetched: null, asking: null, until: null, controller: null, player: null, retryAt: 0};
    GeoMap.view = state;

    /** Whether ``asked`` (a request made, or answered as ``mode``) holds what the view shows now. */
    function holds(asked, filters, mode) {
      if (!asked || asked.filters !== filters || asked.until !== state.until) { return false; }
      var zoom = map.getZoom();
      return asked.box.contains(map.getBounds()) && (mode === "events" ? zoom >= asked.zoom : zoom === asked.zoom);
    }

    function covered(filters) {
      return holds(state.fetched, filters, state.fetched && state.fetched.mode) ||
        (state.controller !== null && holds(state.asking, filters, null));  // already on its way
    }

    function draw(data) {
      var before = GeoMap.selected && GeoMap.markers[GeoMap.selected];
      var popup = !!(before && before.isPopupOpen && before.isPopupOpen());
      GeoMap.markers = {};
      areas.clearLayers();
      var selected = GeoMap.selected;
      if (data.mode === "events") {
        var markers = makeMarkers(data.events, ctx), chosen = selected && GeoMap.markers[selected];
        GeoMap.allMarkers = markers.slice();
        if (chosen) {  // the selected event stays in sight, out of the clusters, until another is chosen
          markers.splice(markers.indexOf(chosen), 1);
          lone.clearLayers();
          lone.addLayer(chosen);
        }
        GeoMap.loaded = !ctx.cluster || markers.length === 0;
        events.clearLayers();
        if (ctx.cluster) { events.addLayers(markers); } else { markers.forEach(function (m) { events.addLayer(m); }); }
      } else {
        events.clearLayers();
        GeoMap.allMarkers = [];
        GeoMap.loaded = true;
        for (var i = 0; i < data.areas.count.length; i++) { areas.addLayer(areaMarker(map, data.areas, i, ctx)); }
      }
      extras.clearLayers();
      if (data.density) {
        var dctx = {size: data.density.size, max: data.density.max, colour: ctx.densityColour};
        var cells = L.featureGroup();
        drawAll(cells, data.density, GeoMap.drawDensity, dctx);
        extras.addLayer(cells);
      }
      if (data.places) {
        var places = L.featureGroup();
        drawAll(places, data.places, GeoMap.drawPlace, {colours: ctx.colours});
        extras.addLayer(places);
      }
      var held = lone.getLayers()[0];  // the selected event, drawn alone (out of view, or out of the clusters)
      if (held && held.options.eventId !== selected) { lone.clearLayers(); held = null; }
      if (held && !GeoMap.markers[selected]) { GeoMap.markers[selected] = held; }
      if (selected && GeoMap.markers[selected]) { restyle(selected, true); }
      if (popup && GeoMap.markers[selected]) {  // the selected event's popup survives the redraw
        GeoMap.select(selected, {open: true, reveal: false});
      }
      var n = data.inView.toLocaleString();
      status(data.mode === "events" ? n + (data.inView === 1 ? " event" : " events") + " in view"
        : n + " events in view, counted by area: zoom in to see each");
    }

    function refresh(force) {
      var filters = filterQuery();
      if (!force && (covered(filters) || Date.now() < state.retryAt)) { return; }
      var changed = state.fetched === null || state.fetched.filters !== filters;
      if (changed) { state.until = null; }
      var box = map.getBounds().pad(0.5), zoom = map.getZoom();
      var query = (filters ? filters + "&" : "") + "bbox=" + [box.getSouth(), box.getWest(), box.getNorth(),
        box.getEast()].map(function (v) { return v.toFixed(4); }).join(",") + "&zoom=" + zoom +
        (state.until !== null ? "&until=" + isoDay(state.until) : "") +
        (opts.density ? "&density=1" : "") + (opts.places ? "&places=1" : "");
      if (state.controller) { state.controller.abort(); }
      var controller = state.controller = new AbortController();
      var asked = {filters: filters, box: box, zoom: zoom, until: state.until};
      state.asking = asked;
      GeoMap.loaded = false;
      ask("/view?" + query, controller.signal)
        .then(function (data) {
          if (controller !== state.controller) { return; }
          state.controller = null;
          state.fetched = L.extend(asked, {mode: data.mode});
          draw(data);
          GeoMap.lastView = data;
          if (changed) { summarise(filters); }
        })
        .catch(function (err) {
          if (err && err.name === "AbortError") { return; }
          state.controller = null;
          state.retryAt = Date.now() + 5000;  // a failing server is asked again after a pause, not at every tick
          GeoMap.loaded = true;
          status("Could not load the events: " + (err && err.message ? err.message : err), true);
        });
    }

    function ask(path, signal) {
      return fetch(opts.api + path, {signal: signal, credentials: "same-origin"}).then(function (r) {
        return r.json().then(function (body) { if (!r.ok) { throw new Error(body.error || r.statusText); } return body; });
      });
    }

    /** The legend and the player for the filters (asked once the view is drawn: they can wait a moment). */
    function summarise(filters) {
      ask("/summary?" + filters).then(function (data) {
        if (!state.fetched || state.fetched.filters !== filters) { return; }
        GeoMap.legend(map, data.legend);
        livePlayer(data.steps);
        GeoMap.summary = data;
        var fit = GeoMap.pendingFit;
        GeoMap.pendingFit = null;
        if (fit && data.bounds) {  // opened with filters and no view: show the events they keep
          map.fitBounds(data.bounds, {
            maxZoom: fit.maxZoom, padding: FIT_PADDING, animate: false
          });
        }
      }, function () { /* the map works without them */ });
    }

    function livePlayer(steps) {
      if (state.player) { map.removeControl(state.player); state.player = null; }
      state.player = GeoMap.player(map, steps, function (day) {
        state.until = day;
        refresh(true);
      });
    }

    /** The marker of one event the view does not hold (a selection from the address or the table). */
    GeoMap.fetchEvent = function (id) {
      return fetch(opts.api + "/event?id=" + encodeURIComponent(id), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !data.events || !data.events.id.length) { return false; }
          if (GeoMap.markers[id]) { return true; }
          var marker = makeMarker(data.events, 0, ctx);
          lone.clearLayers();
          lone.addLayer(marker);
          GeoMap.markers[id] = marker;
          return true;
        }, function () { return false; });
    };

    /** Follow the store: ask for its version every FOLLOW_MS and, when another process has committed, redraw the
     * view (the selection and its popup stay) and the legend; not while the page address says ``live=false``. */
    function follow() {
      var drawn = GeoMap.lastView && GeoMap.lastView.token;
      var off = (readParams().get("live") || "").toLowerCase() === "false";
      if (!drawn || off || state.controller || global.document.hidden) { return; }
      ask("/version").then(function (data) {
        if (data.token === drawn || !GeoMap.lastView || GeoMap.lastView.token !== drawn) { return; }
        refresh(true);
        if (state.until === null) { summarise(state.fetched ? state.fetched.filters : filterQuery()); }
      }, function () { /* asked again at the next tick */ });
    }

    map.on("moveend", function () { refresh(false); });
    GeoMap.refresh = refresh;
    setTimeout(function () { refresh(false); }, 0);  // after keepView has set the opening view
    setInterval(follow, FOLLOW_MS);
  };

  // -- the view in the page address ------------------------------------------------------------------------------

  var written = {};

  function readParams() {
    try { return new URL(topWindow().location.href).searchParams; } catch (e) { return new URLSearchParams(""); }
  }

  function writeParams(values) {
    try {
      var top = topWindow(), url = new URL(top.location.href);
      Object.keys(values).forEach(function (key) {
        if (values[key] === null) { url.searchParams.delete(key); } else { url.searchParams.set(key, values[key]); }
        written[key] = values[key];
      });
      if (url.href !== top.location.href) { top.history.replaceState(top.history.state, "", url.href); }
    } catch (e) { /* a page opened from disk keeps no view */ }
  }

  function viewFromParams(params) {
    var lat = parseFloat(params.get("lat")), lon = parseFloat(params.get("lon")), zoom = parseInt(params.get("zoom"), 10);
    if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) { return null; }
    return {lat: lat, lon: lon, zoom: isFinite(zoom) && zoom >= 0 && zoom <= 18 ? zoom : null};
  }

  function sameView(a, b) {
    return a && b && Math.abs(a.lat - b.lat) < 1e-4 && Math.abs(a.lon - b.lon) < 1e-4 && a.zoom === b.zoom;
  }

  function currentView(map) {
    var c = map.getCenter();
    return {lat: +c.lat.toFixed(4), lon: +L.Util.wrapNum(c.lng, [-180, 180], true).toFixed(4), zoom: map.getZoom()};
  }

  /** Open on the view of the page address (else on ``opts.bounds``), select its event, and keep both there. */
  GeoMap.keepView = function (map, opts) {
    var params = readParams(), view = viewFromParams(params) || opts.initial || null;
    var event = params.get("event") || opts.selected || null;
    if (view) {
      map.setView([view.lat, view.lon], view.zoom === null ? map.getZoom() : view.zoom, {animate: false});
    } else if (event && GeoMap.markers[event]) {
      map.setView(GeoMap.markers[event].getLatLng(), opts.selectedZoom, {animate: false});
    } else if (opts.bounds) {
      map.fitBounds(opts.bounds, {
        maxZoom: opts.fitMaxZoom, padding: FIT_PADDING, animate: false
      });
      // A live map then fits the events its filters keep, or centres on the event it is asked for.
      GeoMap.pendingFit = event ? null : {maxZoom: opts.fitMaxZoom};
    }
    var last = currentView(map);
    writeParams({lat: String(last.lat), lon: String(last.lon), zoom: String(last.zoom)});
    if (event) {
      setTimeout(function () {
        GeoMap.select(event, {open: true, reveal: !view, centre: !view, zoom: opts.selectedZoom});
      }, 0);
    }
    map.on("moveend", function () {
      last = currentView(map);
      writeParams({lat: String(last.lat), lon: String(last.lon), zoom: String(last.zoom)});
    });
    var seen = {event: event, view: view};
    setInterval(function () {
      var now = readParams(), wanted = viewFromParams(now), chosen = now.get("event");
      if (wanted && !sameView(wanted, seen.view) && !sameView(wanted, last)) {
        map.setView([wanted.lat, wanted.lon], wanted.zoom === null ? map.getZoom() : wanted.zoom);
      }
      if (GeoMap.refresh) { GeoMap.refresh(false); }  // a live map follows the filters of the address
      if (chosen && chosen !== seen.event && chosen !== GeoMap.selected) {
        if (GeoMap.select(chosen, {open: true, reveal: true, zoom: opts.selectedZoom}) && global.frameElement) {
          global.frameElement.scrollIntoView({block: "nearest", behavior: "smooth"});
        }
      }
      seen = {event: chosen, view: wanted};
    }, 400);
  };

  // -- legend ----------------------------------------------------------------------------------------------------

  /** A compact legend that folds away (folded at first on a narrow map); called again, it changes its content. */
  GeoMap.legend = function (map, html) {
    if (GeoMap.legendBox) {
      var wasOpen = GeoMap.legendBox.querySelector("details") && GeoMap.legendBox.querySelector("details").open;
      GeoMap.legendBox.innerHTML = html;
      var first = GeoMap.legendBox.querySelector("details");
      if (first && !wasOpen) { first.removeAttribute("open"); }
      return;
    }
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "geo-legend");
      box.innerHTML = html;
      var details = box.querySelector("details");
      if (details && map.getSize().x < 600) { details.removeAttribute("open"); }
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      GeoMap.legendBox = box;
      return box;
    };
    control.addTo(map);
  };

  // -- time ------------------------------------------------------------------------------------------------------

  /** A player that shows the events day by day, week by week or month by month, up to each step in turn: it
   * hides the markers of later days, or (``onStep``, a live map) tells the map the last day to ask for. */
  GeoMap.player = function (map, steps, onStep) {
    if (!steps || steps.length < 2 || (!onStep && !GeoMap.allMarkers.length)) { return null; }
    var control = L.control({position: "bottomleft"}), index = steps.length - 1, timer = null;
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "geo-player");
      box.innerHTML = "<button type='button' aria-label='Play the events through time'>\u25b6</button>" +
        "<input type='range' min='0' max='" + (steps.length - 1) + "' value='" + index +
        "' aria-label='Show the events up to'><span></span>";
      var button = box.querySelector("button"), range = box.querySelector("input"), label = box.querySelector("span");
      function show(i) {
        index = i;
        range.value = String(i);
        label.textContent = "to " + steps[i][1];
        var limit = steps[i][0];
        if (onStep) { onStep(i === steps.length - 1 ? null : limit); return; }
        var shown = [], hidden = [];
        GeoMap.allMarkers.forEach(function (m) { (m.options.day <= limit ? shown : hidden).push(m); });
        var group = GeoMap.group;
        if (group.removeLayers) { group.removeLayers(hidden); group.addLayers(shown); } else {
          hidden.forEach(function (m) { group.removeLayer(m); });
          shown.forEach(function (m) { group.addLayer(m); });
        }
      }
      function stop() { clearInterval(timer); timer = null; button.textContent = "\u25b6"; }
      button.onclick = function () {
        if (timer) { stop(); return; }
        if (index >= steps.length - 1) { show(0); }
        button.textContent = "\u275a\u275a";
        timer = setInterval(function () { if (index >= steps.length - 1) { stop(); } else { show(index + 1); } }, 900);
      };
      range.oninput = function () { stop(); show(parseInt(range.value, 10)); };
      label.textContent = "to " + steps[index][1];
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    return control;
  };

  global.GeoMap = GeoMap;
})(window);
