// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "closesummary.h"
#include "tracefile.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Mortar::Inspector::CloseSummary;
using Mortar::Inspector::TraceFile;

class tst_TraceFile : public QObject
{
    Q_OBJECT

private:
    QString write(const QByteArray &content)
    {
        const QString path = m_dir.filePath(u"t%1.jsonl"_s.arg(++m_files));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
            return {};
        return path;
    }

    QTemporaryDir m_dir;
    int m_files = 0;

private Q_SLOTS:
    void readsHeaderAndEvents()
    {
        const QString path =
                write("{\"format\":\"mortar-trace\",\"version\":1,\"label\":\"app\",\"pid\":12}\n"
                      "{\"seq\":0,\"t\":5,\"thread\":1,\"kind\":\"handler.begin\",\"hook\":\"pre_"
                      "close\",\"handler\":\"a\",\"weight\":-1}\n"
                      "{\"seq\":1,\"t\":9,\"thread\":1,\"kind\":\"handler.end\",\"hook\":\"pre_"
                      "close\",\"handler\":\"a\",\"weight\":-1,\"status\":\"failed\",\"error\":"
                      "\"x\",\"durationNs\":4}\n"
                      "{\"seq\":2,\"t\":12,\"thread\":1,\"kind\":\"close.end\",\"code\":1,"
                      "\"durationNs\":20}\n");
        TraceFile trace;
        const Mortar::Result result = trace.load(path);
        QVERIFY2(result, qPrintable(result.errorString()));
        QCOMPARE(trace.label(), u"app"_s);
        QCOMPARE(trace.pid(), 12);
        QCOMPARE(trace.events().size(), 3);
        QVERIFY(trace.problems().isEmpty());

        const CloseSummary summary = CloseSummary::of(trace.events());
        QCOMPARE(summary.rows.size(), 1);
        QCOMPARE(summary.rows[0].status, u"failed"_s);
        QCOMPARE(summary.rows[0].error, u"x"_s);
        QCOMPARE(summary.exitCode, std::optional<int>(1));
    }

    void toleratesACutShortFileAndReportsGarbage()
    {
        const QString path =
                write("{\"format\":\"mortar-trace\",\"version\":1,\"label\":\"app\",\"pid\":12}\n"
                      "{\"seq\":0,\"t\":5,\"thread\":1,\"kind\":\"handler.begin\",\"hook\":\"pre_"
                      "close\",\"handler\":\"hangs\",\"weight\":0}\n"
                      "this is not json\n"
                      "{\"seq\":1,\"t\":6,\"thread\":1,\"kind\":\"log\",\"mess");
        TraceFile trace;
        QVERIFY(trace.load(path));
        QCOMPARE(trace.events().size(), 1);
        QCOMPARE(trace.problems().size(), 1);
        QVERIFY2(trace.problems()[0].startsWith(u"line 3:"_s), qPrintable(trace.problems()[0]));

        const CloseSummary summary = CloseSummary::of(trace.events());
        QCOMPARE(summary.rows.size(), 1);
        QCOMPARE(summary.rows[0].status, u"did not finish"_s);
        QVERIFY(!summary.exitCode);
        QVERIFY(summary.toText().contains(u"the close did not finish"_s));
    }

    void refusesWhatIsNotATrace_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("why");
        QTest::addRow("empty") << QByteArray() << u"it is empty"_s;
        QTest::addRow("text") << QByteArray("hello\n") << u"first line is not a JSON object"_s;
        QTest::addRow("other-json") << QByteArray("{\"a\":1}\n") << u"mortar-trace"_s;
    }
    void refusesWhatIsNotATrace()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, why);
        TraceFile trace;
        const Mortar::Result result = trace.load(write(content));
        QVERIFY(!result);
        QVERIFY2(result.errorString().contains(why), qPrintable(result.errorString()));
    }

    void missingFileIsNamed()
    {
        TraceFile trace;
        const Mortar::Result result = trace.load(u"/nonexistent/trace.jsonl"_s);
        QVERIFY(!result);
        QVERIFY(result.errorString().contains(u"/nonexistent/trace.jsonl"_s));
    }
};

QTEST_GUILESS_MAIN(tst_TraceFile)
#include "tst_tracefile.moc"
