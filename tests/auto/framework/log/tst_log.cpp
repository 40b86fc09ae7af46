// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "mortartest.h"
#include <mortar/app.h>

#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using Mortar::App;
using Mortar::Log;

namespace {
struct Message
{
    QtMsgType type;
    QString category;
    QString text;
};
QList<Message> g_messages;

void captureMessages(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    g_messages.append({type, QString::fromUtf8(context.category), text});
}
} // namespace

class tst_Log : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        g_messages.clear();
        m_previous = qInstallMessageHandler(captureMessages);
    }
    void cleanup()
    {
        qInstallMessageHandler(m_previous);
        QLoggingCategory::setFilterRules(QString());
    }

    void levelsMapToQtMessageTypes_data()
    {
        QTest::addColumn<Log::Level>("level");
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("name");
        QTest::addRow("info") << Log::Level::Info << int(QtInfoMsg) << u"info"_s;
        QTest::addRow("warning") << Log::Level::Warning << int(QtWarningMsg) << u"warning"_s;
        QTest::addRow("error") << Log::Level::Error << int(QtCriticalMsg) << u"error"_s;
        QTest::addRow("fatal") << Log::Level::Fatal << int(QtCriticalMsg) << u"fatal"_s;
    }
    void levelsMapToQtMessageTypes()
    {
        QFETCH(Log::Level, level);
        QFETCH(int, type);
        QFETCH(QString, name);
        App app({.label = u"myapp"_s});
        app.log().log(level, u"Caught Exception: boom"_s);
        QCOMPARE(g_messages.size(), 1);
        QCOMPARE(int(g_messages[0].type), type);
        QCOMPARE(g_messages[0].category, u"myapp"_s);
        QCOMPARE(g_messages[0].text, u"Caught Exception: boom"_s);

        const Mortar::TraceEvent last = app.trace().events().last();
        QCOMPARE(last.kind, u"log"_s);
        QCOMPARE(last.message, u"Caught Exception: boom"_s);
        QCOMPARE(last.extra.value(u"level"_s).toString(), name);
        QCOMPARE(last.extra.value(u"category"_s).toString(), u"myapp"_s);
    }

    void fatalDoesNotAbort()
    {
        App app({.label = u"myapp"_s});
        app.log().fatal(u"still alive"_s);
        app.log().info(u"after fatal"_s); // we got here: no abort
        QCOMPARE(g_messages.size(), 2);
        QCOMPARE(app.state(), App::State::Created);
    }

    void debugIsOffUntilEnabled()
    {
        App app({.label = u"myapp"_s});
        QVERIFY(!app.log().isEnabled(Log::Level::Debug));
        app.log().debug(u"hidden"_s);
        QVERIFY(g_messages.isEmpty());
        QLoggingCategory::setFilterRules(u"myapp.debug=true"_s);
        QVERIFY(app.log().isEnabled(Log::Level::Debug));
        app.log().debug(u"shown"_s);
        QCOMPARE(g_messages.size(), 1);
        QCOMPARE(int(g_messages[0].type), int(QtDebugMsg));
    }

    void loggingRulesSilenceTheConsoleButNotTheTrace()
    {
        App app({.label = u"myapp"_s});
        QLoggingCategory::setFilterRules(u"myapp.warning=false"_s);
        app.log().warning(u"quiet warning"_s);
        QVERIFY(g_messages.isEmpty());
        QCOMPARE(app.trace().events().last().message, u"quiet warning"_s);
    }

    void frameworkCategoriesExist()
    {
        App app({.label = u"myapp"_s});
        app.setExitCode(300);
        QCOMPARE(g_messages.size(), 1);
        QCOMPARE(g_messages[0].category, u"mortar.app"_s);
        QLoggingCategory::setFilterRules(u"mortar.*=false"_s);
        app.setExitCode(300);
        QCOMPARE(g_messages.size(), 1);
    }

    void loggingIsThreadSafe()
    {
        App app({.label = u"myapp"_s});
        QLoggingCategory::setFilterRules(u"myapp.info=false"_s);
        const qsizetype before = app.trace().size();
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads.append(QThread::create([&app] {
                for (int i = 0; i < 250; ++i)
                    app.log().info(u"line %1"_s.arg(i));
            }));
            threads.last()->start();
        }
        for (QThread *thread : threads) {
            QVERIFY(thread->wait(10000));
            delete thread;
        }
        QCOMPARE(app.trace().size() - before, 1000);
    }

private:
    QtMessageHandler m_previous = nullptr;
};

MORTAR_TEST_MAIN(tst_Log)
#include "tst_log.moc"
