// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The real mortar-inspector, in a real X server (xvfb-run), launching a real app and following
// its close live: what it shows is checked through its summary, and its window saved as a PNG.
#include <QDir>
#include <QImage>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_InspectorEndToEnd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void launchFollowsTheCloseLive()
    {
        const QString xvfbRun = QStandardPaths::findExecutable(u"xvfb-run"_s);
        if (xvfbRun.isEmpty())
            QSKIP("xvfb-run is not installed (.ci/deps installs it)");
        const QString screenshot =
                QDir(QCoreApplication::applicationDirPath()).filePath(u"inspector-e2e.png"_s);
        QFile::remove(screenshot);

        QProcess inspector;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(u"QT_QPA_PLATFORM"_s); // a real X server this time
        inspector.setProcessEnvironment(environment);
        inspector.start(xvfbRun,
                        {u"-a"_s, QStringLiteral(MORTAR_INSPECTOR), u"--launch"_s, u"--summary"_s,
                         u"--screenshot"_s, screenshot, u"--"_s, QStringLiteral(CLOSESTORY_APP)});
        QVERIFY(inspector.waitForFinished(120'000));
        const QString output = QString::fromUtf8(inspector.readAllStandardOutput());
        const QString errors = QString::fromUtf8(inspector.readAllStandardError());
        QVERIFY2(inspector.exitStatus() == QProcess::NormalExit && inspector.exitCode() == 0,
                 qPrintable(output + errors));

        // The verdict first; the pre_close handlers with their statuses, and the exit code, as
        // the window has them.
        QVERIFY2(output.startsWith(u"exec() ended → 1 failed → closed in "_s), qPrintable(output));
        QVERIFY2(output.section(u'\n', 0, 0).endsWith(u" → exit code 1"_s), qPrintable(output));
        const auto row = [&](const QString &handler) {
            for (const QString &line : output.split(u'\n')) {
                if (line.startsWith(u"p"_s) && line.contains(handler)) // a table row
                    return line.simplified();
            }
            return QString();
        };
        QVERIFY2(row(u"close database"_s).startsWith(u"pre_close close database -10 ok"_s),
                 qPrintable(output));
        QVERIFY2(row(u"remove cache"_s).startsWith(u"pre_close remove cache 5 failed"_s),
                 qPrintable(output));
        QVERIFY(row(u"remove cache"_s).endsWith(u"cache directory is read-only"_s));
        QVERIFY(row(u"upload session"_s).startsWith(u"pre_close upload session (async) 10 ok"_s));
        QVERIFY(row(u"remove pid file"_s).startsWith(u"post_close remove pid file 0 ok"_s));
        QVERIFY2(output.contains(u"close: exit code 1, cause exec() ended"_s), qPrintable(output));
        QVERIFY(output.contains(u"the app exited with 1"_s));

        const QImage image(screenshot);
        QVERIFY2(!image.isNull(), qPrintable(screenshot));
        QVERIFY(image.width() >= 800 && image.height() >= 500);
        qInfo("screenshot: %s", qPrintable(screenshot));
    }

    void launchesTheDemoExample()
    {
        // examples/plugins as the README's demo runs it: two plugins, a slow asynchronous
        // handler and a failing one. This screenshot is the one in docs/.
        const QString xvfbRun = QStandardPaths::findExecutable(u"xvfb-run"_s);
        if (xvfbRun.isEmpty())
            QSKIP("xvfb-run is not installed (.ci/deps installs it)");
        if (QStringLiteral(NOTEKEEPER_APP).isEmpty())
            QSKIP("the examples are not built (MORTAR_BUILD_EXAMPLES=OFF)");
        const QString screenshot = QDir(QCoreApplication::applicationDirPath())
                                           .filePath(u"inspector-e2e-notekeeper.png"_s);
        QFile::remove(screenshot);
        QProcess inspector;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(u"QT_QPA_PLATFORM"_s);
        inspector.setProcessEnvironment(environment);
        inspector.start(xvfbRun,
                        {u"-a"_s, u"-s"_s, u"-screen 0 1280x800x24"_s,
                         QStringLiteral(MORTAR_INSPECTOR), u"--launch"_s, u"--summary"_s,
                         u"--screenshot"_s, screenshot, u"--"_s, QStringLiteral(NOTEKEEPER_APP),
                         u"--offline"_s});
        QVERIFY(inspector.waitForFinished(120'000));
        const QString output = QString::fromUtf8(inspector.readAllStandardOutput());
        const QString errors = QString::fromUtf8(inspector.readAllStandardError());
        QVERIFY2(inspector.exitStatus() == QProcess::NormalExit && inspector.exitCode() == 0,
                 qPrintable(output + errors));
        const QStringList expected = {
                u"pre_close sync: upload changes -20 failed"_s,
                u"pre_close storage: flush journal (async) -10 ok"_s,
                u"pre_close App::preClose() 0 ok"_s,
                u"pre_close notekeeper: remove session 10 ok"_s,
                u"post_close remove temporary files 1000 ok"_s,
        };
        QStringList rows;
        for (const QString &line : output.split(u'\n')) {
            if (line.startsWith(u"pre_close"_s) || line.startsWith(u"post_close"_s))
                rows << line.simplified();
        }
        for (const QString &start : expected) {
            QVERIFY2(std::any_of(rows.begin(), rows.end(),
                                 [&](const QString &row) { return row.startsWith(start); }),
                     qPrintable(start + u"\n"_s + output));
        }
        QVERIFY(output.contains(u"cannot reach notes.example.org: 2 changes not uploaded"_s));
        QVERIFY2(output.contains(u"close: exit code 1, cause exec() ended"_s), qPrintable(output));
        QVERIFY(output.contains(u"the app exited with 1"_s));
        QVERIFY(!QImage(screenshot).isNull());
        qInfo("screenshot: %s", qPrintable(screenshot));
    }
};

QTEST_GUILESS_MAIN(tst_InspectorEndToEnd)
#include "tst_inspector_e2e.moc"
