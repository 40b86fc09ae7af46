// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The mortar.tempfiles extension (tempfiles.h): what it creates, that the close removes it after
// the app's own cleanup is done with it, the emergency-cleanup registration, and failures.
#include "mortartest.h"
#include "tracequery.h"
#include <mortar/app.h>
#include <mortar/emergencycleanup.h>
#include <mortar/tempfiles.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;
using Mortar::App;

namespace {
bool isEmergencyPath(const QString &path)
{
    return Mortar::EmergencyCleanup::instance().paths().contains(path);
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}
} // namespace

class tst_TempFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createdAndRegistered()
    {
        App app({.label = u"tmptest"_s, .extensions = {u"mortar.tempfiles"_s}});
        QVERIFY(app.setup());
        const QString file = app.tempFiles().createFile();
        const QString dir = app.tempFiles().createDir();
        QVERIFY2(!file.isEmpty(), qPrintable(app.tempFiles().errorString()));
        QVERIFY2(!dir.isEmpty(), qPrintable(app.tempFiles().errorString()));

        // Default: <temp dir>/<label>-XXXXXX, private to the user.
        QCOMPARE(QFileInfo(file).absolutePath(), QDir(QDir::tempPath()).absolutePath());
        QVERIFY2(QFileInfo(file).fileName().startsWith(u"tmptest-"_s), qPrintable(file));
        QVERIFY(QFileInfo(file).isFile());
        QCOMPARE(QFileInfo(file).size(), 0);
        // Mode 0600 / 0700: the owner's bits only, nothing for the group and others.
        QCOMPARE(QFile::permissions(file) & 0xF0FF, QFile::ReadOwner | QFile::WriteOwner);
        QVERIFY(QFileInfo(dir).isDir());
        QVERIFY(QFileInfo(dir).fileName().startsWith(u"tmptest-"_s));
        QCOMPARE(QFile::permissions(dir) & 0xF0FF,
                 QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QVERIFY(file != app.tempFiles().createFile()); // unique names

        QCOMPARE(app.tempFiles().paths().mid(0, 2), (QStringList{file, dir}));
        QVERIFY(isEmergencyPath(file));
        QVERIFY(isEmergencyPath(dir));
    }

    void templates()
    {
        QTemporaryDir parent;
        QVERIFY(parent.isValid());
        App app({.label = u"tmptest"_s});
        const QString relative = app.tempFiles().createFile(u"state-XXXXXX.json"_s);
        QCOMPARE(QFileInfo(relative).absolutePath(), QDir(QDir::tempPath()).absolutePath());
        QVERIFY2(QRegularExpression(u"/state-[^/]{6}\\.json$"_s).match(relative).hasMatch(),
                 qPrintable(relative));
        const QString absolute = app.tempFiles().createDir(parent.filePath(u"work-XXXXXX"_s));
        QCOMPARE(QFileInfo(absolute).absolutePath(), parent.path());
        const QString inside = app.tempFiles().createFile(absolute + u"/part"_s);
        QVERIFY2(QFileInfo(inside).fileName().startsWith(u"part."_s), qPrintable(inside));
        QCOMPARE(QFileInfo(inside).absolutePath(), absolute);

        app.close();
        for (const QString &path : {relative, absolute, inside})
            QVERIFY2(!QFileInfo::exists(path), qPrintable(path));
    }

    void creationFailure()
    {
        App app({.label = u"tmptest"_s});
        QCOMPARE(app.tempFiles().createFile(u"/nonexistent-mortar-dir/x-XXXXXX"_s), QString());
        QVERIFY2(app.tempFiles().errorString().contains(u"/nonexistent-mortar-dir/x-XXXXXX"_s),
                 qPrintable(app.tempFiles().errorString()));
        QCOMPARE(app.tempFiles().createDir(u"/nonexistent-mortar-dir/d-XXXXXX"_s), QString());
        QVERIFY(app.tempFiles().errorString().contains(u"temporary directory"_s));
        QVERIFY(app.tempFiles().paths().isEmpty());
    }

    void removedAtCloseAndUnregistered()
    {
        App app({.label = u"tmptest"_s, .extensions = {u"mortar.tempfiles"_s}});
        QVERIFY(app.setup());
        const QString dir = app.tempFiles().createDir();
        QVERIFY(writeFile(dir + u"/a.txt"_s, "a"));
        QVERIFY(QDir().mkpath(dir + u"/sub/deeper"_s));
        QVERIFY(writeFile(dir + u"/sub/deeper/b.txt"_s, "b"));
        const QString file = app.tempFiles().createFile();
        app.close();
        QCOMPARE(app.exitCode(), 0);
        QVERIFY(!QFileInfo::exists(dir));
        QVERIFY(!QFileInfo::exists(file));
        QVERIFY(app.tempFiles().paths().isEmpty());
        QVERIFY(!isEmergencyPath(dir));
        QVERIFY(!isEmergencyPath(file));
    }

    void appCleanupStillSeesTheFiles()
    {
        // A slow, asynchronous pre_close handler writing its state into a temporary file, and a
        // post_close handler reading it: both run while the file exists.
        App app({.label = u"tmptest"_s});
        const QString file = app.tempFiles().createFile();
        bool flushed = false;
        QByteArray readBack;
        app.hooks().add(u"pre_close"_s, [&](Mortar::HookContext &context) {
            QTimer::singleShot(100, [&, deferral = context.defer()]() mutable {
                flushed = writeFile(file, "state");
                deferral.complete();
            });
        });
        app.hooks().add(u"post_close"_s, [&] {
            QFile in(file);
            if (in.open(QIODevice::ReadOnly))
                readBack = in.readAll();
        });
        QVERIFY(app.setup());
        app.close();
        QVERIFY(flushed);
        QCOMPARE(readBack, "state");
        QVERIFY(!QFileInfo::exists(file));
        QCOMPARE(app.exitCode(), 0);
    }

    void theExtensionsHandler()
    {
        App app({.label = u"tmptest"_s, .extensions = {u"mortar.tempfiles"_s}});
        QVERIFY(app.setup());
        const QList<Mortar::HandlerInfo> handlers = app.hooks().handlers(u"post_close"_s);
        const auto it = std::find_if(handlers.cbegin(), handlers.cend(), [](const auto &h) {
            return h.name() == u"remove temporary files"_s;
        });
        QVERIFY(it != handlers.cend());
        QCOMPARE(it->owner(), u"extension:mortar.tempfiles"_s);
        QCOMPARE(it->weight(), 1000);
        QVERIFY(app.hooks().handlers(u"pre_close"_s).size() == 1); // only App::preClose()

        const QList<Mortar::TraceEvent> loaded = eventsOfKind(app, u"extension.loaded"_s);
        QCOMPARE(loaded.size(), 1);
        QVERIFY(!loaded.constFirst().extra.contains(u"implicit"_s));
    }

    void firstUseLoadsTheExtension()
    {
        App app({.label = u"tmptest"_s});
        QVERIFY(app.setup());
        QVERIFY(!app.extensions().isLoaded(u"mortar.tempfiles"_s));
        const QString file = app.tempFiles().createFile();
        QVERIFY(app.extensions().isLoaded(u"mortar.tempfiles"_s));
        app.tempFiles().createFile();
        const QList<Mortar::TraceEvent> loaded = eventsOfKind(app, u"extension.loaded"_s);
        QCOMPARE(loaded.size(), 1);
        QCOMPARE(loaded.constFirst().extra.value(u"name"_s).toString(), u"mortar.tempfiles"_s);
        QCOMPARE(loaded.constFirst().extra.value(u"implicit"_s).toBool(), true);
        QCOMPARE(loaded.constFirst().extra.value(u"requestedBy"_s).toString(),
                 u"first use of App::tempFiles()"_s);
        app.close();
        QVERIFY(!QFileInfo::exists(file));
    }

    void adopt()
    {
        QTemporaryDir parent;
        QVERIFY(parent.isValid());
        parent.setAutoRemove(true);
        const QString existing = parent.filePath(u"made-elsewhere"_s);
        QVERIFY(writeFile(existing, "x"));
        const QString later = parent.filePath(u"made-later"_s);

        App app({.label = u"tmptest"_s});
        QVERIFY(app.tempFiles().adopt(existing));
        QVERIFY(app.tempFiles().adopt(existing));
        QVERIFY(app.tempFiles().adopt(later)); // need not exist yet
        QCOMPARE(app.tempFiles().paths(), (QStringList{existing, later}));
        QVERIFY(isEmergencyPath(existing));
        QVERIFY(writeFile(later, "y"));
        app.close();
        QCOMPARE(app.exitCode(), 0);
        QVERIFY(!QFileInfo::exists(existing));
        QVERIFY(!QFileInfo::exists(later));
        QVERIFY(QFileInfo::exists(parent.path())); // only what was adopted
    }

    void adoptRefusesDangerousPaths_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addRow("empty") << QString();
        QTest::addRow("root") << u"/"_s;
        QTest::addRow("home") << QDir::homePath();
        QTest::addRow("home, with a slash") << QDir::homePath() + u"/"_s;
        QTest::addRow("temp dir") << QDir::tempPath();
    }

    void adoptRefusesDangerousPaths()
    {
        QFETCH(QString, path);
        App app({.label = u"tmptest"_s});
        QVERIFY(!app.tempFiles().adopt(path));
        QVERIFY(!app.tempFiles().errorString().isEmpty());
        QVERIFY(app.tempFiles().paths().isEmpty());
    }

    void adoptWithoutAHomeDirectory()
    {
        // A home directory that does not exist must not make every missing path look like it.
        const QByteArray savedHome = qgetenv("HOME");
        auto restore = qScopeGuard([&] { qputenv("HOME", savedHome); });
        qputenv("HOME", "/nonexistent-mortar-home");
        QTemporaryDir parent;
        QVERIFY(parent.isValid());
        App app({.label = u"tmptest"_s});
        QVERIFY2(app.tempFiles().adopt(parent.filePath(u"not-yet"_s)),
                 qPrintable(app.tempFiles().errorString()));
        QVERIFY(!app.tempFiles().adopt(u"/nonexistent-mortar-home"_s));
    }

    void removeAndRelease()
    {
        App app({.label = u"tmptest"_s});
        const QString removed = app.tempFiles().createFile();
        const QString kept = app.tempFiles().createFile();
        auto cleanup = qScopeGuard([&] { QFile::remove(kept); });
        QVERIFY(app.tempFiles().remove(removed));
        QVERIFY(!QFileInfo::exists(removed));
        QVERIFY(!isEmergencyPath(removed));
        QVERIFY(app.tempFiles().release(kept));
        QVERIFY(!isEmergencyPath(kept));
        QVERIFY(app.tempFiles().paths().isEmpty());
        QVERIFY(!app.tempFiles().remove(kept));
        QVERIFY(app.tempFiles().errorString().contains(u"not a temporary path"_s));
        app.close();
        QVERIFY(QFileInfo::exists(kept)); // released: it outlives the App
    }

    void removalFailureFailsTheClose()
    {
        // A path no one can remove, not even root: a file of /proc.
        const QString unremovable = u"/proc/version"_s;
        if (!QFileInfo::exists(unremovable))
            QSKIP("needs /proc");
        App app({.label = u"tmptest"_s});
        const QString file = app.tempFiles().createFile();
        QVERIFY(app.tempFiles().adopt(unremovable));
        auto unregister =
                qScopeGuard([&] { Mortar::EmergencyCleanup::instance().remove(unremovable); });
        QVERIFY(app.setup());
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"remove temporary files.*/proc/version"_s));
        app.close();
        QCOMPARE(app.exitCode(), 1);
        QVERIFY(!QFileInfo::exists(file)); // the others are removed all the same
        QCOMPARE(app.tempFiles().paths(), QStringList{unremovable});

        const QList<Mortar::TraceEvent> ends = eventsOfKind(app, u"handler.end"_s);
        const auto end = std::find_if(ends.cbegin(), ends.cend(), [](const auto &e) {
            return e.handler == u"remove temporary files"_s;
        });
        QVERIFY(end != ends.cend());
        QCOMPARE(end->status, u"failed"_s);
        QVERIFY2(end->error.contains(u"/proc/version"_s), qPrintable(end->error));
        app.tempFiles().release(unremovable); // or ~App() tries again (and warns)
    }

    void pathsAddedAfterTheCloseGoWithTheApp()
    {
        QString late;
        {
            App app({.label = u"tmptest"_s});
            app.close();
            late = app.tempFiles().createFile();
            QVERIFY(QFileInfo::exists(late));
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"added after the close"_s));
        }
        QVERIFY(!QFileInfo::exists(late));
        QVERIFY(!isEmergencyPath(late));
    }
};

MORTAR_TEST_MAIN(tst_TempFiles)
#include "tst_tempfiles.moc"
