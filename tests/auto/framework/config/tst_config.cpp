// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/config.h>

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Mortar::Config;

class tst_Config : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    // A fresh file per call: QSettings caches parsed files by path.
    QString write(const QString &name, const QByteArray &contents)
    {
        const QString path = m_dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write %s", qPrintable(path));
        file.write(contents);
        return path;
    }

private Q_SLOTS:
    void laterFileWins()
    {
        const QString a = write(u"later-a.conf"_s, "[db]\nhost=a\nport=1\n[only-a]\nx=1\n");
        const QString b = write(u"later-b.conf"_s, "[db]\nhost=b\n");
        Config config;
        QVERIFY(config.load({a, b}));
        QCOMPARE(config.value(u"db/host"_s).toString(), u"b"_s);
        QCOMPARE(config.value(u"db/port"_s).toString(), u"1"_s); // b says nothing: a's stays
        QCOMPARE(config.sourceOf(u"db/host"_s), b);
        QCOMPARE(config.sourceOf(u"db/port"_s), a);
        QCOMPARE(config.childGroups(), (QStringList{u"db"_s, u"only-a"_s}));
        QCOMPARE(config.childKeys(u"db"_s), (QStringList{u"host"_s, u"port"_s}));
        QCOMPARE(config.files(), (QStringList{a, b}));
    }

    void defaultsAreUnderneath()
    {
        const QString a = write(u"defaults.conf"_s, "[db]\nhost=file\n");
        Config config;
        QVERIFY(config.load({a}, {{u"db/host"_s, u"default"_s}, {u"db/timeout"_s, 30}}));
        QCOMPARE(config.value(u"db/host"_s).toString(), u"file"_s);
        QCOMPARE(config.value(u"db/timeout"_s).toInt(), 30);
        QCOMPARE(config.sourceOf(u"db/timeout"_s), u"AppOptions::configDefaults"_s);
        QVERIFY(config.contains(u"db/timeout"_s));
        QVERIFY(!config.contains(u"db/user"_s));
        QCOMPARE(config.value(u"db/user"_s, u"nobody"_s).toString(), u"nobody"_s);
        QCOMPARE(config.sourceOf(u"db/user"_s), QString());
    }

    void missingFilesAreSkippedUnlessNamed()
    {
        const QString missing = m_dir.filePath(u"nothing-here.conf"_s);
        Config config;
        QVERIFY(config.load({missing}));
        QVERIFY(config.files().isEmpty());

        const Mortar::Result result = config.addFile(missing, Config::IfMissing::Fail);
        QVERIFY(!result);
        QCOMPARE(result.errorString(),
                 u"Unable to read config file %1: the file does not exist"_s.arg(missing));
    }

    void addFileGoesOnTop()
    {
        const QString a = write(u"top-a.conf"_s, "[x]\nk=a\n");
        const QString cli = write(u"top-cli.conf"_s, "[x]\nk=cli\n");
        Config config;
        QVERIFY(config.load({a}));
        QVERIFY(config.addFile(cli, Config::IfMissing::Fail));
        QCOMPARE(config.value(u"x/k"_s).toString(), u"cli"_s);
        QCOMPARE(config.sourceOf(u"x/k"_s), cli);
    }

    // QSettings reports FormatError only for an unclosed section header, and silently drops a
    // line without '=' (so "enabled false" would be lost); Config refuses both, naming the file
    // and the line.
    void malformedFileFailsNamingIt_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QString>("problem");
        QTest::addRow("unclosed-section")
                << QByteArray("[db\nhost=a\n")
                << u"line 1 (\"[db\"): the section header has no closing ']'"_s;
        QTest::addRow("line-without-equals")
                << QByteArray("; comment\n[plugin.cache]\nenabled false\n")
                << u"line 3 (\"enabled false\"): expected key=value"_s;
        QTest::addRow("empty-key")
                << QByteArray("[db]\n = v\n") << u"line 2 (\"= v\"): the key is empty"_s;
    }
    void malformedFileFailsNamingIt()
    {
        QFETCH(QByteArray, contents);
        QFETCH(QString, problem);
        const QString tag = QString::fromLatin1(QTest::currentDataTag());
        const QString good = write(u"good-"_s + tag + u".conf"_s, "[ok]\nk=v\n");
        const QString bad = write(u"bad-"_s + tag + u".conf"_s, contents);
        Config config;
        const Mortar::Result result = config.load({good, bad});
        QVERIFY(!result);
        QCOMPARE(result.errorString(),
                 u"Unable to read config file %1: it is not a valid INI file: %2"_s.arg(bad,
                                                                                        problem));
        QCOMPARE(config.value(u"ok/k"_s).toString(), u"v"_s); // the files before it stay loaded
    }

    void lenientLinesAreNotErrors()
    {
        // QSettings takes these without complaint; so does Config.
        const QString path = write(u"lenient.conf"_s,
                                   "; a comment, it's \"odd\n# another\n\n[s]\nk = spaced value \n"
                                   "list=a, b\nquoted=\"two\nlines\"\ncontinued=a\\\nb\n");
        Config config;
        QVERIFY(config.load({path}));
        QCOMPARE(config.value(u"s/k"_s).toString(), u"spaced value"_s);
        QCOMPARE(config.value(u"s/list"_s).toStringList(), (QStringList{u"a"_s, u"b"_s}));
        // Values over several lines, which the line check must not mistake for bad lines.
        QCOMPARE(config.value(u"s/quoted"_s).toString(), u"two\nlines"_s);
        QCOMPARE(config.value(u"s/continued"_s).toString(), u"ab"_s);
    }

    void directoryIsNotAConfigFile()
    {
        const QString path = m_dir.filePath(u"a-directory.conf"_s);
        QVERIFY(QDir().mkpath(path));
        Config config;
        const Mortar::Result result = config.load({path});
        QVERIFY(!result);
        QCOMPARE(result.errorString(),
                 u"Unable to read config file %1: it is a directory"_s.arg(path));
    }

    void unreadableFileFailsNamingIt()
    {
        const QString path = write(u"unreadable.conf"_s, "[s]\nk=v\n");
        QFile::setPermissions(path, {});
        if (QFile file(path); file.open(QIODevice::ReadOnly))
            QSKIP("this user reads files without read permission (root)");
        Config config;
        const Mortar::Result result = config.load({path});
        QVERIFY(!result);
        QCOMPARE(result.errorString(),
                 u"Unable to read config file %1: permission denied"_s.arg(path));
    }

    void pluginSectionsKeepTheirDots()
    {
        // [plugin.<name>] is how plugins are switched on and off (SPEC §7).
        const QString path = write(u"plugins.conf"_s, "[plugin.cache]\nenabled=false\n");
        Config config;
        QVERIFY(config.load({path}));
        QCOMPARE(config.childGroups(), QStringList{u"plugin.cache"_s});
        QCOMPARE(config.value(u"plugin.cache/enabled"_s).toString(), u"false"_s);
    }

    void standardFilesSystemThenUser()
    {
        QCOMPARE(
                Config::standardFiles(u"myapp"_s),
                (QStringList{u"/etc/myapp/myapp.conf"_s,
                             QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
                                     + u"/myapp/myapp.conf"_s}));
    }

    void loadReplaces()
    {
        const QString a = write(u"replace-a.conf"_s, "[a]\nk=1\n");
        const QString b = write(u"replace-b.conf"_s, "[b]\nk=2\n");
        Config config;
        QVERIFY(config.load({a}));
        QVERIFY(config.load({b}));
        QVERIFY(!config.contains(u"a/k"_s));
        QCOMPARE(config.files(), QStringList{b});
    }
};

QTEST_GUILESS_MAIN(tst_Config)
#include "tst_config.moc"
