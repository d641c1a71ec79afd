package io.jembed.plot;

import java.util.Arrays;

/**
 * A point-region quadtree over 2-D positions with per-cell centres of mass, rebuilt every t-SNE
 * iteration for Barnes-Hut repulsion. Nodes live in parallel arrays (no per-node objects): four
 * children of a node are consecutive.
 */
final class QuadTree {
  // coincident points would split forever; below this depth they share a leaf
  private static final int MAX_DEPTH = 40;

  private double[] cx;
  private double[] cy;
  private double[] half;
  private double[] sumX;
  private double[] sumY;
  private int[] count;
  private int[] child;
  private int[] point;
  private int size;
  private final double[] pos;
  private double[] comX;
  private double[] comY;
  private double[] width2;

  /** Builds the tree over y = [x0, y0, x1, y1, ...] for n points. */
  QuadTree(double[] y, int n) {
    this.pos = y;
    int cap = Math.max(16, 4 * n);
    cx = new double[cap];
    cy = new double[cap];
    half = new double[cap];
    sumX = new double[cap];
    sumY = new double[cap];
    count = new int[cap];
    child = new int[cap];
    point = new int[cap];
    double minX = Double.POSITIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      minX = Math.min(minX, y[2 * i]);
      maxX = Math.max(maxX, y[2 * i]);
      minY = Math.min(minY, y[2 * i + 1]);
      maxY = Math.max(maxY, y[2 * i + 1]);
    }
    double h = Math.max(maxX - minX, maxY - minY) / 2 * (1 + 1e-6) + 1e-12;
    newNode((minX + maxX) / 2, (minY + maxY) / 2, h);
    for (int i = 0; i < n; i++) {
      insert(i, y[2 * i], y[2 * i + 1]);
    }
    finish();
  }

  private int newNode(double x, double yy, double h) {
    if (size == cx.length) {
      int cap = size * 2;
      cx = Arrays.copyOf(cx, cap);
      cy = Arrays.copyOf(cy, cap);
      half = Arrays.copyOf(half, cap);
      sumX = Arrays.copyOf(sumX, cap);
      sumY = Arrays.copyOf(sumY, cap);
      count = Arrays.copyOf(count, cap);
      child = Arrays.copyOf(child, cap);
      point = Arrays.copyOf(point, cap);
    }
    int id = size++;
    cx[id] = x;
    cy[id] = yy;
    half[id] = h;
    sumX[id] = 0;
    sumY[id] = 0;
    count[id] = 0;
    child[id] = -1;
    point[id] = -1;
    return id;
  }

  private int childFor(int node, double x, double yy) {
    return child[node] + (x >= cx[node] ? 1 : 0) + (yy >= cy[node] ? 2 : 0);
  }

  private void insert(int i, double x, double yy) {
    int node = 0;
    int depth = 0;
    while (true) {
      count[node]++;
      sumX[node] += x;
      sumY[node] += yy;
      if (child[node] < 0) {
        if (count[node] == 1) {
          point[node] = i;
          return;
        }
        if (depth >= MAX_DEPTH) {
          return;
        }
        // split: the resident point moves down one level, then i continues below
        int resident = point[node];
        point[node] = -1;
        double h = half[node] / 2;
        int first = newNode(cx[node] - h, cy[node] - h, h);
        newNode(cx[node] + h, cy[node] - h, h);
        newNode(cx[node] - h, cy[node] + h, h);
        newNode(cx[node] + h, cy[node] + h, h);
        child[node] = first;
        double rx = pos[2 * resident];
        double ry = pos[2 * resident + 1];
        int c = childFor(node, rx, ry);
        count[c] = 1;
        sumX[c] = rx;
        sumY[c] = ry;
        point[c] = resident;
      }
      node = childFor(node, x, yy);
      depth++;
    }
  }

  /** Centres of mass and squared cell widths, computed once after all inserts. */
  private void finish() {
    comX = new double[size];
    comY = new double[size];
    width2 = new double[size];
    for (int node = 0; node < size; node++) {
      int c = count[node];
      if (c > 0) {
        comX[node] = sumX[node] / c;
        comY[node] = sumY[node] / c;
      }
      width2[node] = 4 * half[node] * half[node];
    }
  }

  /**
   * Adds the Barnes-Hut repulsion on point i at (x, y) into out: out[0], out[1] += sum of q^2 (y_i
   * - y_j) and out[2] += sum of q, with q = 1 / (1 + |y_i - y_j|^2) over all j != i.
   */
  void repulsion(int i, double x, double yy, double theta2, double[] out, int[] stack) {
    double fx = 0;
    double fy = 0;
    double z = 0;
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
      int node = stack[--top];
      int c = count[node];
      if (c == 0) {
        continue;
      }
      int first = child[node];
      if (first < 0 && c == 1 && point[node] == i) {
        continue;
      }
      double dx = x - comX[node];
      double dy = yy - comY[node];
      double d2 = dx * dx + dy * dy;
      if (first < 0 || width2[node] < theta2 * d2) {
        if (first < 0
            && c > 1
            && Math.abs(x - cx[node]) <= half[node]
            && Math.abs(yy - cy[node]) <= half[node]) {
          c--; // a leaf of coincident points at the depth limit: leave i itself out
        }
        double q = 1 / (1 + d2);
        double cq = c * q;
        z += cq;
        double mult = cq * q;
        fx += mult * dx;
        fy += mult * dy;
      } else {
        stack[top++] = first;
        stack[top++] = first + 1;
        stack[top++] = first + 2;
        stack[top++] = first + 3;
      }
    }
    out[0] += fx;
    out[1] += fy;
    out[2] += z;
  }

  /** Stack space a traversal needs. */
  int stackSize() {
    return 4 * (MAX_DEPTH + 2);
  }
}
