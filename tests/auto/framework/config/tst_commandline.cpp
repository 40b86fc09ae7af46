// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "commandline_p.h"

#include <QTest>

using namespace Qt::StringLiterals;
using Mortar::Internal::FrameworkOptions;

Q_DECLARE_METATYPE(FrameworkOptions)

namespace {
QString describe(const FrameworkOptions &o)
{
    return u"help=%1 version=%2 debug=%3 quiet=%4 inspect=%5 config=[%6] plugin=[%7] "
           u"no-plugin=[%8] trace=%9 errors=[%10]"_s.arg(int(o.help))
                   .arg(int(o.version))
                   .arg(int(o.debug))
                   .arg(int(o.quiet))
                   .arg(int(o.inspect))
                   .arg(o.configFiles.join(u", "_s), o.plugins.join(u", "_s),
                        o.noPlugins.join(u", "_s), o.traceFile, o.errors.join(u"; "_s));
}
} // namespace

class tst_CommandLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The early pass, against what the caller expects. Every row without an application
    // option is also checked against QCommandLineParser below, so the two read alike.
    void earlyPass_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<FrameworkOptions>("expected");

        QTest::addRow("nothing") << QStringList{u"app"_s} << FrameworkOptions{};
        QTest::addRow("config=") << QStringList{u"app"_s, u"--config=a.conf"_s}
                                 << FrameworkOptions{.configFiles = {u"a.conf"_s}};
        QTest::addRow("config space") << QStringList{u"app"_s, u"--config"_s, u"a.conf"_s}
                                      << FrameworkOptions{.configFiles = {u"a.conf"_s}};
        QTest::addRow("config repeated, order kept")
                << QStringList{u"app"_s, u"--config"_s, u"a.conf"_s, u"--config=b.conf"_s}
                << FrameworkOptions{.configFiles = {u"a.conf"_s, u"b.conf"_s}};
        QTest::addRow("plugin twice")
                << QStringList{u"app"_s, u"--plugin"_s, u"x"_s, u"--plugin"_s, u"y"_s}
                << FrameworkOptions{.plugins = {u"x"_s, u"y"_s}};
        QTest::addRow("no-plugin")
                << QStringList{u"app"_s, u"--no-plugin"_s, u"x"_s, u"--no-plugin=y"_s}
                << FrameworkOptions{.noPlugins = {u"x"_s, u"y"_s}};
        QTest::addRow("flags") << QStringList{u"app"_s, u"--debug"_s, u"--quiet"_s, u"--inspect"_s}
                               << FrameworkOptions{.debug = true, .quiet = true, .inspect = true};
        QTest::addRow("trace, last wins")
                << QStringList{u"app"_s, u"--trace"_s, u"/tmp/1.jsonl"_s, u"--trace=/tmp/2.jsonl"_s}
                << FrameworkOptions{.traceFile = u"/tmp/2.jsonl"_s};
        QTest::addRow("-- ends options")
                << QStringList{u"app"_s,      u"--plugin"_s, u"x"_s,      u"--"_s,
                               u"--plugin"_s, u"y"_s,        u"--debug"_s}
                << FrameworkOptions{.plugins = {u"x"_s}};
        QTest::addRow("value that looks like an option")
                << QStringList{u"app"_s, u"--config"_s, u"--debug"_s}
                << FrameworkOptions{.configFiles = {u"--debug"_s}};
        QTest::addRow("help and version") << QStringList{u"app"_s, u"--help"_s, u"-v"_s}
                                          << FrameworkOptions{.help = true, .version = true};
        QTest::addRow("empty value with =") << QStringList{u"app"_s, u"--plugin="_s}
                                            << FrameworkOptions{.plugins = {QString()}};
    }
    void earlyPass()
    {
        QFETCH(QStringList, arguments);
        QFETCH(FrameworkOptions, expected);
        const FrameworkOptions scanned = Mortar::Internal::scanFrameworkOptions(arguments);
        QVERIFY2(scanned == expected, qPrintable(describe(scanned)));

        // The full parse of the same command line gives the same options.
        QCommandLineParser parser;
        Mortar::Internal::addFrameworkOptions(parser);
        QVERIFY2(parser.parse(arguments), qPrintable(parser.errorText()));
        const FrameworkOptions parsed = Mortar::Internal::frameworkOptions(parser);
        QVERIFY2(parsed == expected, qPrintable(describe(parsed)));
    }

    // The application's own options and positional arguments are passed over, wherever they are.
    void earlyPassSkipsTheApplicationsOptions()
    {
        const FrameworkOptions scanned = Mortar::Internal::scanFrameworkOptions(
                {u"app"_s, u"--verbose"_s, u"input.txt"_s, u"--plugin"_s, u"x"_s,
                 u"--output=out.txt"_s, u"-j4"_s, u"--config"_s, u"a.conf"_s, u"--debugger"_s,
                 u"--debug=no"_s});
        QVERIFY2(scanned == (FrameworkOptions{.configFiles = {u"a.conf"_s}, .plugins = {u"x"_s}}),
                 qPrintable(describe(scanned)));
    }

    void earlyPassReportsAMissingValue()
    {
        const FrameworkOptions scanned =
                Mortar::Internal::scanFrameworkOptions({u"app"_s, u"--debug"_s, u"--config"_s});
        QVERIFY(scanned.debug);
        QVERIFY(scanned.configFiles.isEmpty());
        QCOMPARE(scanned.errors, QStringList{u"Missing value after '--config'."_s});

        // The same words as QCommandLineParser, which the full parse shows later.
        QCommandLineParser parser;
        Mortar::Internal::addFrameworkOptions(parser);
        QVERIFY(!parser.parse({u"app"_s, u"--debug"_s, u"--config"_s}));
        QCOMPARE(parser.errorText(), scanned.errors.constFirst());
    }

    void parserHasTheFrameworksOptions()
    {
        QCommandLineParser parser;
        Mortar::Internal::addFrameworkOptions(parser);
        QVERIFY(parser.parse({u"app"_s}));
        const QString help = parser.helpText();
        for (const QString &option :
             {u"--help"_s, u"--version"_s, u"--debug"_s, u"--quiet"_s, u"--config <FILE>"_s,
              u"--plugin <NAME>"_s, u"--no-plugin <NAME>"_s, u"--inspect"_s, u"--trace <PATH>"_s})
            QVERIFY2(help.contains(option), qPrintable(option + u" missing from:\n"_s + help));
    }
};

QTEST_GUILESS_MAIN(tst_CommandLine)
#include "tst_commandline.moc"
