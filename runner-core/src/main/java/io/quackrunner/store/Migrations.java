package io.quackrunner.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Runs Flyway on one database; kept apart from {@link Schema} so that a start that needs no
 * migration never loads Flyway's classes.
 */
final class Migrations {
  private Migrations() {}

  /**
   * Applies the pending migrations of {@code where}. A SQLite database without history (every
   * database QuackRunner made before it used Flyway, and every new file, which holds the {@code
   * quackrunner_created} marker table) is baselined at version 0 first; its version-1 script is
   * written with {@code IF NOT EXISTS} so that it completes an old schema and creates a new one.
   *
   * @throws io.quackrunner.errors.RunnerException of kind SCHEMA_MISMATCH when Flyway fails
   */
  static void migrate(DataSource db, Schema.Location where, String name) {
    try {
      Flyway.configure(Migrations.class.getClassLoader())
          .dataSource(db)
          .locations("classpath:" + where.path())
          .baselineOnMigrate(where != Schema.Location.POSTGRESQL)
          .baselineVersion("0")
          .baselineDescription("QuackRunner state from before Flyway")
          .validateMigrationNaming(true)
          .load()
          .migrate();
    } catch (FlywayException e) {
      String why = String.valueOf(e.getMessage()).strip().lines().findFirst().orElse("");
      throw Schema.mismatch(name + ": migration failed: " + why);
    }
  }
}
