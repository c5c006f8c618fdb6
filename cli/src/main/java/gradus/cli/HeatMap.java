package gradus.cli;

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
}
