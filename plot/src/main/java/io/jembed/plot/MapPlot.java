package io.jembed.plot;

import io.jembed.JembedException;
import io.jembed.toolkit.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A rendered map of the embedding space: points coloured by label with a legend, optionally
 * annotated, titled, with quiet axes. Renders to PNG, SVG or a self-contained HTML page whose
 * points show their text on hover. Immutable; build with {@link #builder(Projection)}.
 *
 * <pre>{@code
 * MapPlot.builder(projection).labels(labels).texts(texts).title("Sentences").build()
 *     .write(Path.of("map.html"));
 * }</pre>
 */
public final class MapPlot {
  private static final Color FRAME = new Color(0xd9, 0xd9, 0xd9);
  private static final Color QUIET = new Color(0x8c, 0x8c, 0x8c);
  private static final Color INK = new Color(0x33, 0x33, 0x33);
  private static final Color NO_LABEL = new Color(0xa0, 0xa0, 0xa0);
  private static final int MAX_LEGEND_ENTRIES = 24;
  private static final int SHORT_TEXT = 40;
  // Tableau 10 / 20: distinct, colour-blind friendlier than a rainbow
  private static final int[] PALETTE = {
    0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22,
    0x17becf, 0xaec7e8, 0xffbb78, 0x98df8a, 0xff9896, 0xc5b0d5, 0xc49c94, 0xf7b6d2, 0xc7c7c7,
    0xdbdb8d, 0x9edae5
  };

  private final Projection projection;
  private final List<String> labels;
  private final List<String> texts;
  private final String title;
  private final Annotation annotation;
  private final int width;
  private final int height;
  private final Double pointRadius;

  private MapPlot(Builder b) {
    this.projection = b.projection;
    this.labels = b.labels;
    this.texts = b.texts;
    this.title = b.title;
    this.annotation = b.annotation;
    this.width = b.width;
    this.height = b.height;
    this.pointRadius = b.pointRadius;
  }

  public static Builder builder(Projection projection) {
    return new Builder(projection);
  }

  /** Renders the map as an image (ARGB, white background). */
  public BufferedImage toImage() {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      render(new Java2dCanvas(g));
    } finally {
      g.dispose();
    }
    return img;
  }

  /** The map as a standalone SVG document (points have native tooltips). */
  public String toSvg() {
    SvgCanvas c = new SvgCanvas(false, labels, texts);
    render(c);
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svgElement(c, "");
  }

  /** The map as one self-contained HTML page: no network needed to view it. */
  public String toHtml() {
    SvgCanvas c = new SvgCanvas(true, labels, texts);
    render(c);
    String pageTitle = SvgCanvas.escape(title == null ? "Embedding map" : title);
    return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="jembed">
        <title>%s</title>
        <style>
        body{margin:0;padding:16px;font-family:%s;background:#fff;color:#333}
        #map svg{max-width:100%%;height:auto;display:block;cursor:grab;user-select:none}
        #map circle[data-t],#map circle[data-l]{cursor:pointer}
        #map circle.hover{stroke:#000;stroke-width:1.5}
        #map .legend{cursor:pointer}
        #map .legend.off{opacity:.3}
        #tip{position:fixed;pointer-events:none;display:none;max-width:420px;padding:6px 9px;
          background:rgba(255,255,255,.96);border:1px solid #bbb;border-radius:4px;
          box-shadow:0 2px 6px rgba(0,0,0,.15);font-size:13px;line-height:1.35}
        #tip b{display:block;margin-bottom:2px}
        #help{color:#999;font-size:12px;margin-top:6px}
        </style>
        </head>
        <body>
        <div id="map">
        %s</div>
        <div id="tip"></div>
        <div id="help">Hover a point to read its text. Scroll to zoom, drag to pan,\
         double-click to reset. Click a legend entry to hide or show its points.</div>
        <script>
        (function(){
          var svg=document.querySelector('#map svg'),tip=document.getElementById('tip');
          var box=svg.viewBox.baseVal,home=[box.x,box.y,box.width,box.height],last=null,drag=null;
          svg.addEventListener('mousemove',function(e){
            var c=e.target;
            if(drag){var s=box.width/svg.getBoundingClientRect().width;
              box.x=drag[2]-(e.clientX-drag[0])*s;box.y=drag[3]-(e.clientY-drag[1])*s;return;}
            if(c.tagName!=='circle'||!(c.dataset.t||c.dataset.l)){hide();return;}
            if(last&&last!==c)last.classList.remove('hover');
            c.classList.add('hover');last=c;tip.textContent='';
            if(c.dataset.l){var b=document.createElement('b');b.textContent=c.dataset.l;tip.appendChild(b);}
            if(c.dataset.t){tip.appendChild(document.createTextNode(c.dataset.t));}
            tip.style.display='block';
            var x=e.clientX+14,y=e.clientY+14,r=tip.getBoundingClientRect();
            if(x+r.width>window.innerWidth)x=e.clientX-r.width-14;
            if(y+r.height>window.innerHeight)y=e.clientY-r.height-14;
            tip.style.left=x+'px';tip.style.top=y+'px';
          });
          function hide(){tip.style.display='none';if(last){last.classList.remove('hover');last=null;}}
          svg.addEventListener('mouseleave',function(){hide();drag=null;});
          svg.addEventListener('mousedown',function(e){drag=[e.clientX,e.clientY,box.x,box.y];hide();});
          window.addEventListener('mouseup',function(){drag=null;});
          svg.addEventListener('wheel',function(e){
            e.preventDefault();var r=svg.getBoundingClientRect(),f=e.deltaY<0?0.85:1/0.85;
            var px=box.x+(e.clientX-r.left)/r.width*box.width,py=box.y+(e.clientY-r.top)/r.height*box.height;
            box.x=px-(px-box.x)*f;box.y=py-(py-box.y)*f;box.width*=f;box.height*=f;
          },{passive:false});
          svg.addEventListener('dblclick',function(){box.x=home[0];box.y=home[1];box.width=home[2];box.height=home[3];});
          document.querySelectorAll('#map .legend').forEach(function(g){
            g.addEventListener('click',function(e){
              e.stopPropagation();var off=g.classList.toggle('off');
              document.querySelectorAll('#map circle.g'+g.dataset.g).forEach(function(c){
                c.style.display=off?'none':'';});
            });
            g.addEventListener('mousedown',function(e){e.stopPropagation();});
          });
        })();
        </script>
        </body>
        </html>
        """
        .formatted(pageTitle, SvgCanvas.FONT, svgElement(c, " role=\"img\""));
  }

  private String svgElement(SvgCanvas c, String extra) {
    StringBuilder b = new StringBuilder();
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(width)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(width)
        .append(' ')
        .append(height)
        .append("\" font-family=\"")
        .append(SvgCanvas.FONT)
        .append('"')
        .append(extra)
        .append(">\n");
    if (title != null) {
      b.append("<title>").append(SvgCanvas.escape(title)).append("</title>\n");
    }
    b.append(c.body()).append("</svg>\n");
    return b.toString();
  }

  /** Writes PNG, SVG or HTML as the file name says; the file appears complete or not at all. */
  public void write(Path path) {
    write(path, PlotFormat.fromPath(path));
  }

  public void write(Path path, PlotFormat format) {
    switch (format) {
      case PNG -> AtomicFiles.write(path, out -> ImageIO.write(toImage(), "png", out));
      case SVG ->
          AtomicFiles.write(path, out -> out.write(toSvg().getBytes(StandardCharsets.UTF_8)));
      case HTML ->
          AtomicFiles.write(path, out -> out.write(toHtml().getBytes(StandardCharsets.UTF_8)));
    }
  }

  // ---------------------------------------------------------------- layout

  private void render(Canvas c) {
    int n = projection.size();
    c.rect(0, 0, width, height, Color.WHITE, null);

    // groups in order of first appearance
    Map<String, Integer> groupOf = new LinkedHashMap<>();
    List<Integer> counts = new ArrayList<>();
    boolean anyUnlabelled = false;
    if (labels != null) {
      for (String l : labels) {
        if (l == null || l.isEmpty()) {
          anyUnlabelled = true;
          continue;
        }
        Integer g = groupOf.putIfAbsent(l, groupOf.size());
        if (g == null) {
          counts.add(1);
        } else {
          counts.set(g, counts.get(g) + 1);
        }
      }
    }
    boolean legend = !groupOf.isEmpty();

    double top = title != null ? 56 : 20;
    double left = 36;
    double bottom = 34;
    double legendWidth = 0;
    List<String> entries = new ArrayList<>();
    if (legend) {
      for (Map.Entry<String, Integer> e : groupOf.entrySet()) {
        if (entries.size() == MAX_LEGEND_ENTRIES) {
          entries.add("+ " + (groupOf.size() - MAX_LEGEND_ENTRIES) + " more");
          break;
        }
        entries.add(shorten(e.getKey(), 32) + "  (" + counts.get(e.getValue()) + ")");
      }
      if (anyUnlabelled) {
        entries.add("(no label)");
      }
      for (String s : entries) {
        legendWidth = Math.max(legendWidth, Canvas.textWidth(s, 12, false));
      }
      legendWidth += 36;
    }
    double right = legend ? legendWidth + 24 : 20;
    double plotX = left;
    double plotY = top;
    double plotW = Math.max(50, width - left - right);
    double plotH = Math.max(50, height - top - bottom);

    if (title != null) {
      c.text(width / 2.0, 34, title, 18, INK, Canvas.Anchor.MIDDLE, true, false);
    }
    c.rect(plotX, plotY, plotW, plotH, null, FRAME);
    if (projection.xAxisName() != null) {
      c.text(
          plotX + plotW / 2,
          plotY + plotH + 20,
          projection.xAxisName(),
          11,
          QUIET,
          Canvas.Anchor.MIDDLE,
          false,
          false);
    }
    if (projection.yAxisName() != null) {
      c.text(
          plotX - 12,
          plotY + plotH / 2,
          projection.yAxisName(),
          11,
          QUIET,
          Canvas.Anchor.MIDDLE,
          false,
          true);
    }

    // same scale on both axes: distances on the map mean the same in every direction
    double minX = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      minX = Math.min(minX, projection.x(i));
      maxX = Math.max(maxX, projection.x(i));
      minY = Math.min(minY, projection.y(i));
      maxY = Math.max(maxY, projection.y(i));
    }
    double r = pointRadius != null ? pointRadius : defaultRadius(n);
    double pad = r + 8;
    double annotationRoom = 0;
    if (annotation != Annotation.NONE) {
      for (int i = 0; i < n; i++) {
        String a = annotationText(i);
        if (a != null) {
          annotationRoom = Math.max(annotationRoom, Canvas.textWidth(a, 11, false) + r + 6);
        }
      }
      annotationRoom = Math.min(annotationRoom, plotW * 0.3);
    }
    double innerW = Math.max(1, plotW - 2 * pad - annotationRoom);
    double innerH = Math.max(1, plotH - 2 * pad - (annotation == Annotation.NONE ? 0 : 8));
    double spanX = Math.max(maxX - minX, 1e-12);
    double spanY = Math.max(maxY - minY, 1e-12);
    double scale = Math.min(innerW / spanX, innerH / spanY);
    double offX = plotX + pad + (innerW - spanX * scale) / 2;
    double offY = plotY + pad + (plotH - 2 * pad - spanY * scale) / 2;

    double opacity = n > 2000 ? 0.6 : (n > 300 ? 0.75 : 0.9);
    Color stroke = n <= 300 ? Color.WHITE : null;
    double[] px = new double[n];
    double[] py = new double[n];
    for (int i = 0; i < n; i++) {
      px[i] = offX + (projection.x(i) - minX) * scale;
      py[i] = offY + (maxY - projection.y(i)) * scale; // y grows upwards on the map
    }
    for (int i : drawingOrder(n)) {
      int g = groupIndex(groupOf, i);
      c.point(px[i], py[i], r, colour(g), opacity, stroke, i, g);
    }
    if (annotation != Annotation.NONE) {
      annotate(c, px, py, r, plotX, plotY, plotW, plotH);
    }

    if (legend) {
      double lx = plotX + plotW + 16;
      double ly = plotY + 4;
      c.rect(lx, ly, legendWidth, entries.size() * 20 + 12, Color.WHITE, FRAME);
      for (int k = 0; k < entries.size(); k++) {
        String s = entries.get(k);
        boolean more = k == MAX_LEGEND_ENTRIES && s.startsWith("+ ");
        boolean none = anyUnlabelled && k == entries.size() - 1;
        double y = ly + 16 + k * 20;
        if (more) {
          c.text(lx + 10, y + 4, s, 12, QUIET, Canvas.Anchor.START, false, false);
        } else {
          int g = none ? -1 : k;
          c.legendEntry(lx + 14, y, 5, none ? NO_LABEL : colour(g), s, none ? -1 : g);
        }
      }
    }
  }

  private String annotationText(int i) {
    String a = annotation == Annotation.LABEL ? at(labels, i) : at(texts, i);
    return a == null || a.isBlank() ? null : shorten(a, SHORT_TEXT);
  }

  /**
   * Writes each annotation beside its point where it overlaps nothing already placed (right, left,
   * above, below, diagonals), or where it overlaps least.
   */
  private void annotate(
      Canvas c, double[] px, double[] py, double r, double fx, double fy, double fw, double fh) {
    int n = px.length;
    boolean avoid = n <= 1000; // pairwise checks: quadratic
    List<double[]> boxes = new ArrayList<>();
    if (avoid) {
      for (int i = 0; i < n; i++) {
        boxes.add(new double[] {px[i] - r, py[i] - r, px[i] + r, py[i] + r});
      }
    }
    double h = 11;
    for (int i = 0; i < n; i++) {
      String a = annotationText(i);
      if (a == null) {
        continue;
      }
      double w = Canvas.textWidth(a, 11, false);
      double gap = r + 4;
      // candidate boxes: {left, top} of the text box
      double[][] candidates = {
        {px[i] + gap, py[i] - h / 2 - 1},
        {px[i] - gap - w, py[i] - h / 2 - 1},
        {px[i] - w / 2, py[i] - gap - h},
        {px[i] - w / 2, py[i] + gap},
        {px[i] + gap * 0.7, py[i] - gap * 0.7 - h},
        {px[i] + gap * 0.7, py[i] + gap * 0.7},
        {px[i] - gap * 0.7 - w, py[i] - gap * 0.7 - h},
        {px[i] - gap * 0.7 - w, py[i] + gap * 0.7},
      };
      double[] best = candidates[0];
      if (avoid) {
        double bestCost = Double.POSITIVE_INFINITY;
        for (double[] cand : candidates) {
          double[] box = {cand[0], cand[1], cand[0] + w, cand[1] + h};
          double cost = 0;
          // leaving the frame is worse than touching a neighbour
          cost += 4 * (Math.max(0, fx - box[0]) + Math.max(0, box[2] - fx - fw)) * h;
          cost += 4 * (Math.max(0, fy - box[1]) + Math.max(0, box[3] - fy - fh)) * w;
          for (int b = 0; b < boxes.size(); b++) {
            if (b != i) {
              cost += overlap(box, boxes.get(b));
            }
          }
          if (cost < bestCost - 1e-9) {
            bestCost = cost;
            best = cand;
          }
          if (cost == 0) {
            break;
          }
        }
        boxes.add(new double[] {best[0], best[1], best[0] + w, best[1] + h});
      }
      c.text(best[0], best[1] + h - 2, a, 11, INK, Canvas.Anchor.START, false, false);
    }
  }

  private static double overlap(double[] a, double[] b) {
    double w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
    double h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
    return w > 0 && h > 0 ? w * h : 0;
  }

  private int groupIndex(Map<String, Integer> groupOf, int i) {
    if (labels == null) {
      return groupOf.isEmpty() ? 0 : -1;
    }
    String l = labels.get(i);
    if (l == null || l.isEmpty()) {
      return -1;
    }
    return groupOf.get(l);
  }

  private static Color colour(int group) {
    if (group < 0) {
      return NO_LABEL;
    }
    if (group < PALETTE.length) {
      return new Color(PALETTE[group]);
    }
    // golden-angle hues beyond twenty labels
    float hue = (float) ((group * 0.618033988749895) % 1.0);
    return Color.getHSBColor(hue, 0.65f, 0.8f);
  }

  private static double defaultRadius(int n) {
    if (n <= 50) {
      return 6;
    }
    if (n <= 500) {
      return 4.5;
    }
    if (n <= 5000) {
      return 3;
    }
    return 2;
  }

  /** Large maps are drawn in a fixed shuffled order so no label hides under the last one drawn. */
  private static List<Integer> drawingOrder(int n) {
    List<Integer> order = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    if (n > 300) {
      Collections.shuffle(order, new java.util.Random(7));
    }
    return order;
  }

  private static String at(List<String> list, int i) {
    return list == null ? null : list.get(i);
  }

  static String shorten(String s, int max) {
    String one = s.replaceAll("\\s+", " ").trim();
    return one.length() <= max ? one : one.substring(0, max - 1).trim() + "…";
  }

  /** Builds a {@link MapPlot}. */
  public static final class Builder {
    private final Projection projection;
    private List<String> labels;
    private List<String> texts;
    private String title;
    private Annotation annotation = Annotation.NONE;
    private int width = 960;
    private int height = 720;
    private Double pointRadius;

    private Builder(Projection projection) {
      if (projection == null) {
        throw new JembedException("projection must not be null");
      }
      this.projection = projection;
    }

    /** One label per point (null or empty for none): colours and the legend. */
    public Builder labels(List<String> labels) {
      this.labels = checkSize(labels, "labels");
      return this;
    }

    /** One text per point: shown on hover (HTML, SVG) and by {@link Annotation#TEXT}. */
    public Builder texts(List<String> texts) {
      this.texts = checkSize(texts, "texts");
      return this;
    }

    public Builder title(String title) {
      this.title = title == null || title.isBlank() ? null : title;
      return this;
    }

    public Builder annotation(Annotation annotation) {
      this.annotation = annotation == null ? Annotation.NONE : annotation;
      return this;
    }

    /** Size in pixels (default 960 x 720). */
    public Builder size(int width, int height) {
      if (width < 200 || height < 150 || width > 10_000 || height > 10_000) {
        throw new JembedException(
            "plot size must be between 200x150 and 10000x10000, got " + width + "x" + height);
      }
      this.width = width;
      this.height = height;
      return this;
    }

    /** Point radius in pixels (default: smaller as there are more points). */
    public Builder pointRadius(double radius) {
      if (!(radius > 0 && radius <= 50)) {
        throw new JembedException("point radius must be in (0, 50], got " + radius);
      }
      this.pointRadius = radius;
      return this;
    }

    private List<String> checkSize(List<String> list, String what) {
      if (list == null) {
        return null;
      }
      if (list.size() != projection.size()) {
        throw new JembedException(
            what
                + " has "
                + list.size()
                + " entries but the map has "
                + projection.size()
                + " points");
      }
      return Collections.unmodifiableList(new ArrayList<>(list));
    }

    public MapPlot build() {
      return new MapPlot(this);
    }
  }
}
