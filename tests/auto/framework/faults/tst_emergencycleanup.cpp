// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The emergency-cleanup registry (<mortar/emergencycleanup.h>): what it stores, and what run()
// removes — files, whole directory trees, symbolic links without following them. The forced
// exits that call run() are tested on real processes in tests/system (tst_watchdog, tst_signals,
// tst_crash).
#include "mortartest.h"
#include <mortar/app.h>
#include <mortar/emergencycleanup.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

bool writeFile(const QString &path, const QByteArray &contents = "x")
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(contents) == contents.size();
}

} // namespace

class tst_EmergencyCleanup : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup();
    void addRemovePaths();
    void relativePathsAreMadeAbsolute();
    void refusesEmptyAndTooLong();
    void runRemovesFilesAndTrees();
    void runRemovesLinksWithoutFollowing();
    void runSkipsMissingPaths();
    void fullRegistryRefuses();
    void appGivesTheSameRegistry();
};

void tst_EmergencyCleanup::cleanup()
{
    // Every test leaves the process-wide registry empty for the next.
    Mortar::EmergencyCleanup &registry = Mortar::EmergencyCleanup::instance();
    for (const QString &path : registry.paths())
        registry.remove(path);
}

void tst_EmergencyCleanup::addRemovePaths()
{
    Mortar::EmergencyCleanup &registry = Mortar::EmergencyCleanup::instance();
    QVERIFY(registry.paths().isEmpty());
    QVERIFY(registry.add(u"/tmp/mortar-a"_s));
    QVERIFY(registry.add(u"/tmp/mortar-b/"_s));
    QVERIFY(registry.add(u"/tmp/mortar-a"_s)); // twice: registered once
    QCOMPARE(registry.paths(), QStringList({u"/tmp/mortar-a"_s, u"/tmp/mortar-b"_s}));
    QVERIFY(registry.remove(u"/tmp/mortar-a"_s));
    QVERIFY(!registry.remove(u"/tmp/mortar-a"_s));
    QVERIFY(!registry.remove(u"/tmp/never-added"_s));
    QCOMPARE(registry.paths(), QStringList({u"/tmp/mortar-b"_s}));
}

void tst_EmergencyCleanup::relativePathsAreMadeAbsolute()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString previous = QDir::currentPath();
    auto restore = qScopeGuard([&] { QDir::setCurrent(previous); });
    QVERIFY(QDir::setCurrent(dir.path()));
    Mortar::EmergencyCleanup &registry = Mortar::EmergencyCleanup::instance();
    QVERIFY(registry.add(u"sub/../file.pid"_s));
    const QString expected = QDir::cleanPath(QDir::current().absoluteFilePath(u"file.pid"_s));
    QCOMPARE(registry.paths(), QStringList{expected});
    QVERIFY(registry.remove(expected));
}

void tst_EmergencyCleanup::refusesEmptyAndTooLong()
{
    Mortar::EmergencyCleanup &registry = Mortar::EmergencyCleanup::instance();
    QTest::ignoreMessage(QtWarningMsg, "Unable to register an empty path for emergency cleanup");
    QVERIFY(!registry.add(QString()));
    const QString tooLong = u"/tmp/"_s + QString(5000, u'x');
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"the path is longer than \\d+ bytes"_s));
    QVERIFY(!registry.add(tooLong));
    QVERIFY(registry.paths().isEmpty());
}

void tst_EmergencyCleanup::runRemovesFilesAndTrees()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(u"app.pid"_s);
    const QString tree = dir.filePath(u"tree"_s);
    const QString kept = dir.filePath(u"kept"_s);
    QVERIFY(writeFile(file));
    QVERIFY(writeFile(kept));
    // Deep enough to need recursion, wide enough to need more than one getdents64 buffer.
    QString deep = tree;
    for (int level = 0; level < 5; ++level) {
        deep += u"/level%1"_s.arg(level);
        QVERIFY(QDir().mkpath(deep));
        QVERIFY(writeFile(deep + u"/file"_s));
    }
    for (int i = 0; i < 300; ++i)
        QVERIFY(writeFile(tree + u"/a-rather-long-file-name-to-fill-the-buffer-%1"_s.arg(i)));
    QVERIFY(QDir().mkpath(tree + u"/empty"_s));

    Mortar::EmergencyCleanup &registry = Mortar::EmergencyCleanup::instance();
    QVERIFY(registry.add(file));
    QVERIFY(registry.add(tree));
    Mortar::EmergencyCleanup::run();

    QVERIFY(!QFileInfo::exists(file));
    QVERIFY2(!QFileInfo::exists(tree), qPrintable(QDir(tree).entryList().join(u", "_s)));
    QVERIFY(QFileInfo::exists(kept));
    QVERIFY2(registry.paths().isEmpty(), "run() unregisters what it removed");
}

void tst_EmergencyCleanup::runRemovesLinksWithoutFollowing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString outside = dir.filePath(u"outside"_s);
    QVERIFY(QDir().mkpath(outside));
    QVERIFY(writeFile(outside + u"/precious"_s));
    const QString tree = dir.filePath(u"tree"_s);
    QVERIFY(QDir().mkpath(tree));
    QVERIFY(QFile::link(outside, tree + u"/link-to-outside"_s));
    const QString link = dir.filePath(u"link"_s);
    QVERIFY(QFile::link(outside, link));

    Mortar::EmergencyCleanup &registry = Mortar::EmergencyCleanup::instance();
    QVERIFY(registry.add(tree));
    QVERIFY(registry.add(link));
    Mortar::EmergencyCleanup::run();

    QVERIFY(!QFileInfo::exists(tree));
    QVERIFY(!QFileInfo(link).isSymLink());
    QVERIFY2(QFileInfo::exists(outside + u"/precious"_s), "a link was followed");
}

void tst_EmergencyCleanup::runSkipsMissingPaths()
{
    Mortar::EmergencyCleanup &registry = Mortar::EmergencyCleanup::instance();
    QVERIFY(registry.add(u"/nonexistent/mortar/emergency"_s));
    errno = 1234;
    Mortar::EmergencyCleanup::run();
    QCOMPARE(errno, 1234); // a signal handler's caller must find errno unchanged
    QVERIFY(registry.paths().isEmpty());
}

void tst_EmergencyCleanup::fullRegistryRefuses()
{
    Mortar::EmergencyCleanup &registry = Mortar::EmergencyCleanup::instance();
    for (int i = 0; i < Mortar::EmergencyCleanup::MaxPaths; ++i)
        QVERIFY(registry.add(u"/tmp/mortar-full-%1"_s.arg(i)));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"paths are registered already"_s));
    QVERIFY(!registry.add(u"/tmp/mortar-one-too-many"_s));
    QVERIFY(registry.remove(u"/tmp/mortar-full-7"_s));
    QVERIFY(registry.add(u"/tmp/mortar-one-too-many"_s)); // a freed slot is reused
    QCOMPARE(registry.paths().size(), Mortar::EmergencyCleanup::MaxPaths);
}

void tst_EmergencyCleanup::appGivesTheSameRegistry()
{
    Mortar::App app({.label = u"emergency"_s});
    QCOMPARE(&app.emergencyCleanup(), &Mortar::EmergencyCleanup::instance());
}

MORTAR_TEST_MAIN(tst_EmergencyCleanup)
#include "tst_emergencycleanup.moc"
