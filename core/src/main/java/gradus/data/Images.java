package gradus.data;

import gradus.tensor.Tensor;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/** Turns image files (PNG, JPEG, BMP, GIF) into model inputs. */
public final class Images {
    private Images() {}

    /**
     * Reads an image as [channels, height, width] floats in [0, 1], resized to {@code height × width}.
     * One channel is luminance; three are RGB. {@code invert} maps dark-on-light pictures to
     * the light-on-dark convention of MNIST-style data.
     */
    public static Tensor load(Path file, int channels, int height, int width, boolean invert) throws IOException {
        BufferedImage src = ImageIO.read(file.toFile());
        if (src == null) throw new IOException(file + ": not a readable image (PNG, JPEG, BMP or GIF expected)");
        return fromImage(src, channels, height, width, invert);
    }

    public static Tensor fromImage(BufferedImage src, int channels, int height, int width, boolean invert) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("images need 1 or 3 channels, the model wants " + channels);
        BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scaled.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, width, height, null);
        g.dispose();
        float[] out = new float[channels * height * width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = scaled.getRGB(x, y);
                float r = ((rgb >> 16) & 255) / 255f, gr = ((rgb >> 8) & 255) / 255f, b = (rgb & 255) / 255f;
                if (channels == 1) {
                    float l = 0.299f * r + 0.587f * gr + 0.114f * b;
                    out[y * width + x] = invert ? 1f - l : l;
                } else {
                    float[] c = {r, gr, b};
                    for (int k = 0; k < 3; k++) out[(k * height + y) * width + x] = invert ? 1f - c[k] : c[k];
                }
            }
        }
        return Tensor.of(out, channels, height, width);
    }
}
