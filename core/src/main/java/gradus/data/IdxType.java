package gradus.data;

/** The element types of the IDX format (the third byte of the magic number) and their sizes in bytes. */
public enum IdxType {
    UNSIGNED_BYTE(0x08, 1),
    SIGNED_BYTE(0x09, 1),
    SHORT(0x0B, 2),
    INT(0x0C, 4),
    FLOAT(0x0D, 4),
    DOUBLE(0x0E, 8);

    /** The type code stored in the file. */
    public final int code;
    /** Bytes per element. */
    public final int bytes;

    IdxType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** The type with this code, or null if the code is not an IDX type. */
    public static IdxType ofCode(int code) {
        for (IdxType t : values()) if (t.code == code) return t;
        return null;
    }
}
