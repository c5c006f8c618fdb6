package gradus.cli;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A terminal heat map of an image attribution: one character per pixel, darker glyphs for larger |score|. */
final class HeatMap {
    private static final String SHADES = " .:-=+*#%@";

    private HeatMap() {}

    /** The first channel's scores [H, W] of a flat [1, C, H, W] list. */
    static String ascii(List<Float> values, int height, int width) {
        float max = 1e-12f;
        for (int i = 0; i < height * width; i++) max = Math.max(max, Math.abs(values.get(i)));
        StringBuilder sb = new StringBuilder();
        for (int y = 0; y < height; y++) {
            sb.append("  ");
            for (int x = 0; x < width; x++) {
                int level = Math.round((SHADES.length() - 1) * Math.abs(values.get(y * width + x)) / max);
                sb.append(SHADES.charAt(level));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * The input image in gray with the scores over it, summed over channels: red where they are positive, blue
     * where negative, opacity by |score|; scaled up {@code scale} times. {@code input} is [1, C, H, W] row-major.
     */
    static void png(List<Float> values, float[] input, int channels, int height, int width, int scale, Path file) throws IOException {
        float max = 1e-12f, lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
        float[] score = new float[height * width], gray = new float[height * width];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < height * width; i++) {
                score[i] += values.get(c * height * width + i);
                gray[i] += input[c * height * width + i] / channels;
            }
        }
        for (int i = 0; i < score.length; i++) {
            max = Math.max(max, Math.abs(score[i]));
            lo = Math.min(lo, gray[i]);
            hi = Math.max(hi, gray[i]);
        }
        BufferedImage img = new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                double g = hi > lo ? 0.6 * (gray[i] - lo) / (hi - lo) : 0, a = Math.abs(score[i]) / max;
                double r = g * (1 - a) + (score[i] > 0 ? a : 0), b = g * (1 - a) + (score[i] < 0 ? a : 0), gr = g * (1 - a);
                int rgb = (int) Math.round(255 * r) << 16 | (int) Math.round(255 * gr) << 8 | (int) Math.round(255 * b);
                for (int dy = 0; dy < scale; dy++) for (int dx = 0; dx < scale; dx++) img.setRGB(x * scale + dx, y * scale + dy, rgb);
            }
        }
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer for " + file);
    }

    /** Tokens highlighted by score (red for, blue against), as a small HTML page. */
    static String html(List<String> tokens, List<Float> scores, String title) {
        float max = 1e-12f;
        for (float s : scores) max = Math.max(max, Math.abs(s));
        StringBuilder sb = new StringBuilder("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape(title)).append("</title></head><body style=\"font-family:sans-serif;line-height:2\">\n<h1>")
                .append(escape(title)).append("</h1>\n<p>");
        for (int i = 0; i < tokens.size(); i++) {
            float s = scores.get(i), a = Math.abs(s) / max;
            String color = s >= 0 ? "220, 40, 40" : "40, 80, 220";
            sb.append(String.format(java.util.Locale.ROOT, "<span title=\"%+.4f\" style=\"background: rgba(%s, %.3f); padding: 0 2px\">%s</span> ",
                    s, color, a, escape(tokens.get(i))));
        }
        return sb.append("</p>\n</body></html>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
