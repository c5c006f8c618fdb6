package gradus.data;

import gradus.tensor.Tensor;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/** Turns image files (PNG, JPEG, BMP, GIF) into model inputs. */
public final class Images {
    /** Pixels an image may declare (64 MB as ARGB): a small compressed file cannot make us allocate more. */
    public static final long MAX_PIXELS = 1L << 24;
    /** Pixels per byte of file at most: deflate (PNG) expands at most 1032-fold, and real JPEGs far less. */
    public static final long MAX_PIXELS_PER_BYTE = 1032;

    private Images() {}

    /**
     * Decodes an image after checking the size its header declares against {@code maxPixels} and
     * {@link #MAX_PIXELS_PER_BYTE} times the file's size, so a decompression bomb (a few hundred KB declaring
     * 10000 × 10000, or a few bytes declaring 4000 × 4000) fails before its raster is allocated.
     *
     * @throws IOException when the bytes are not a readable image or declare too many pixels
     */
    public static BufferedImage read(byte[] bytes, long maxPixels) throws IOException {
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) { // no temp files
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new IOException("not a readable image (PNG, JPEG, BMP or GIF expected)");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0), height = reader.getHeight(0);
                long limit = Math.min(maxPixels, MAX_PIXELS_PER_BYTE * bytes.length);
                if (width <= 0 || height <= 0 || width * height > limit) { // each below 2^31: the product fits a long
                    throw new IOException(reader.getFormatName() + " image of " + width + " × " + height + " pixels in "
                            + bytes.length + " bytes: at most " + limit + " pixels are accepted");
                }
                BufferedImage image = reader.read(0);
                if (image == null) throw new IOException("not a readable image");
                return image;
            } catch (IOException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) { // EOFException says nothing by itself
                    throw new IOException("truncated " + reader.getFormatName() + " image (" + e.getClass().getSimpleName() + ")", e);
                }
                throw e;
            } catch (RuntimeException e) { // the JDK's decoders throw these on corrupt data
                throw new IOException("corrupt " + reader.getFormatName() + " image: " + e, e);
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * Reads an image as [channels, height, width] floats in [0, 1], resized to {@code height × width}.
     * One channel is luminance; three are RGB. {@code invert} maps dark-on-light pictures to
     * the light-on-dark convention of MNIST-style data.
     */
    public static Tensor load(Path file, int channels, int height, int width, boolean invert) throws IOException {
        BufferedImage src;
        try {
            src = read(Files.readAllBytes(file), MAX_PIXELS);
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
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
