// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <QCoreApplication>
#include <QTest>

/*!
    QTEST_GUILESS_MAIN for tests that make Apps. An App parses QCoreApplication::arguments()
    (SPEC §8), and QTest's own options (-v2, -o file,txt, test function names) are not an App's
    command line: the QCoreApplication sees the program name alone, QTest sees everything.
*/
#define MORTAR_TEST_MAIN(TestObject)                                                               \
  int main(int argc, char *argv[])                                                                 \
  {                                                                                                \
    int programNameOnly = 1;                                                                       \
    QCoreApplication app(programNameOnly, argv);                                                   \
    app.setAttribute(Qt::AA_Use96Dpi, true);                                                       \
    TestObject tc;                                                                                 \
    QTEST_SET_MAIN_SOURCE_PATH                                                                     \
    return QTest::qExec(&tc, argc, argv);                                                          \
  }

#ifdef QT_WIDGETS_LIB
#  include <QApplication>

/*! MORTAR_TEST_MAIN for widget tests (QTEST_MAIN's QApplication), for the same reason. */
#  define MORTAR_TEST_WIDGETS_MAIN(TestObject)                                                     \
    int main(int argc, char *argv[])                                                               \
    {                                                                                              \
      int programNameOnly = 1;                                                                     \
      QApplication app(programNameOnly, argv);                                                     \
      app.setAttribute(Qt::AA_Use96Dpi, true);                                                     \
      TestObject tc;                                                                               \
      QTEST_SET_MAIN_SOURCE_PATH                                                                   \
      return QTest::qExec(&tc, argc, argv);                                                        \
    }
#endif
