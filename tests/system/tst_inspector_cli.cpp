// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// mortar-inspector's headless modes on the trace file of a real process.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_InspectorCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_trace;

    static QString runInspector(const QStringList &arguments, int *exitCode)
    {
        QProcess inspector;
        inspector.start(QStringLiteral(MORTAR_INSPECTOR), arguments);
        if (!inspector.waitForFinished(30000))
            return {};
        *exitCode = inspector.exitStatus() == QProcess::NormalExit ? inspector.exitCode() : -1;
        return QString::fromUtf8(inspector.readAllStandardOutput()
                                 + inspector.readAllStandardError());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_trace = m_dir.filePath(u"closestory.jsonl"_s);
        QProcess app;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"MORTAR_TRACE"_s, m_trace);
        app.setProcessEnvironment(environment);
        app.start(QStringLiteral(CLOSESTORY_APP), {});
        QVERIFY(app.waitForFinished(30000));
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 1); // a cleanup handler failed
    }

    void summaryIsATable()
    {
        int exitCode = -1;
        const QString output = runInspector({u"--summary"_s, m_trace}, &exitCode);
        QCOMPARE(exitCode, 0);
        const QStringList lines = output.split(u'\n', Qt::SkipEmptyParts);
        QVERIFY2(lines.size() >= 8, qPrintable(output));
        QVERIFY(lines[0].startsWith(u"closestory (pid "_s));
        QCOMPARE(lines[1].simplified(), u"hook handler weight status duration ms error"_s);
        const auto row = [&](const QString &handler) {
            for (const QString &line : lines) {
                if (line.contains(handler))
                    return line.simplified();
            }
            return QString();
        };
        QVERIFY2(row(u"close database"_s).startsWith(u"pre_close close database -10 ok "_s),
                 qPrintable(output));
        QVERIFY(row(u"App::preClose()"_s).startsWith(u"pre_close App::preClose() 0 ok "_s));
        QVERIFY(row(u"remove cache"_s).startsWith(u"pre_close remove cache 5 failed "_s));
        QVERIFY(row(u"remove cache"_s).endsWith(u"cache directory is read-only"_s));
        QVERIFY(row(u"upload session"_s).startsWith(u"pre_close upload session (async) 10 ok "_s));
        QVERIFY(row(u"remove pid file"_s).startsWith(u"post_close remove pid file 0 ok"_s));
        // Run order: by weight, pre_close before post_close.
        QVERIFY(output.indexOf(u"close database"_s) < output.indexOf(u"App::preClose()"_s));
        QVERIFY(output.indexOf(u"remove cache"_s) < output.indexOf(u"upload session"_s));
        QVERIFY(output.indexOf(u"upload session"_s) < output.indexOf(u"remove pid file"_s));
        // The asynchronous handler took its 50 ms timer.
        const QStringList upload = row(u"upload session"_s).split(u' ');
        QVERIFY2(upload.value(6).toDouble() >= 45.0, qPrintable(row(u"upload session"_s)));
        QVERIFY2(lines.last().startsWith(u"close: exit code 1, cause exec() ended, took "_s),
                 qPrintable(lines.last()));
    }

    void exportChromeHasACompleteEventPerHandler()
    {
        const QString out = m_dir.filePath(u"chrome.json"_s);
        int exitCode = -1;
        runInspector({u"--export-chrome"_s, out, m_trace}, &exitCode);
        QCOMPARE(exitCode, 0);
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray events =
                QJsonDocument::fromJson(file.readAll()).object().value(u"traceEvents"_s).toArray();
        QStringList handlers;
        for (const QJsonValue &value : events) {
            const QJsonObject event = value.toObject();
            if (event.value(u"ph"_s) == u"X"_s && event.value(u"cat"_s) == u"handler"_s)
                handlers << event.value(u"name"_s).toString();
        }
        for (const QString &name :
             {u"close database"_s, u"App::preClose()"_s, u"remove cache"_s, u"upload session"_s,
              u"App::postClose()"_s, u"remove pid file"_s}) {
            QVERIFY2(handlers.contains(name), qPrintable(name));
        }
    }

    void badInputIsNamed()
    {
        int exitCode = -1;
        QString output =
                runInspector({u"--summary"_s, m_dir.filePath(u"missing.jsonl"_s)}, &exitCode);
        QCOMPARE(exitCode, 66);
        QVERIFY2(output.contains(u"missing.jsonl"_s), qPrintable(output));
        output = runInspector({u"--summary"_s}, &exitCode);
        QCOMPARE(exitCode, 64);
    }
};

QTEST_GUILESS_MAIN(tst_InspectorCli)
#include "tst_inspector_cli.moc"
