package gradus.cli;

import gradus.recipe.Recipe;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * {@code gradus train --spark}: calls gradus-spark's SparkRecipe by name, so the CLI needs Spark only when asked
 * for it (the launcher puts the module and Spark on the class path for --spark; the CLI's own build has neither).
 */
final class SparkTraining {
    static final String RUNNER = "gradus.spark.SparkRecipe";

    private SparkTraining() {}

    static Recipe.Result run(Map<String, Object> recipe, Recipe.Options options, String master, Integer workers) throws Exception {
        Method run;
        try {
            Class.forName("org.apache.spark.SparkContext");
            run = Class.forName(RUNNER).getMethod("run", Map.class, Recipe.Options.class, String.class, Integer.class);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("--spark needs Apache Spark and the gradus-spark module on the class path, and "
                    + e.getMessage() + " is not there: run the CLI through ./gradus (it builds spark/ and adds both for --spark), "
                    + "or add spark/target/gradus-spark.jar and Spark's jars to -cp", e);
        }
        try {
            return (Recipe.Result) run.invoke(null, recipe, options, master, workers);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
