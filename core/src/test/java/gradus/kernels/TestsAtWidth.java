package gradus.kernels;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Run in a child JVM started with {@code -Dgradus.vectorBits=N} by {@link EveryVectorWidthTest}: the named test
 * classes' plain {@code @Test} methods (with their {@code @BeforeEach}/{@code @AfterEach}), so the same checks run
 * at every width. Prints "width N", one line per failure, and "passed P failed F".
 */
public final class TestsAtWidth {
    public static void main(String[] classNames) throws Exception {
        System.out.println("width " + VectorWidth.bits());
        int passed = 0, failed = 0;
        for (String name : classNames) {
            Class<?> cls = Class.forName(name);
            for (Method test : cls.getDeclaredMethods()) {
                if (!test.isAnnotationPresent(Test.class)) continue;
                if (test.getParameterCount() != 0) throw new IllegalArgumentException(name + "." + test.getName() + " takes parameters");
                try {
                    Constructor<?> c = cls.getDeclaredConstructor();
                    c.setAccessible(true);
                    Object instance = c.newInstance();
                    invokeAnnotated(instance, BeforeEach.class);
                    try {
                        test.setAccessible(true);
                        test.invoke(instance);
                    } finally {
                        invokeAnnotated(instance, AfterEach.class);
                    }
                    passed++;
                } catch (InvocationTargetException e) {
                    failed++;
                    System.out.println("FAILED " + name + "." + test.getName() + ": " + e.getCause());
                }
            }
        }
        System.out.println("passed " + passed + " failed " + failed);
        System.exit(failed == 0 ? 0 : 1);
    }

    private static void invokeAnnotated(Object instance, Class<? extends java.lang.annotation.Annotation> a) throws Exception {
        for (Method m : instance.getClass().getDeclaredMethods()) {
            if (m.isAnnotationPresent(a)) {
                m.setAccessible(true);
                m.invoke(instance);
            }
        }
    }
}
