// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The inspector's client against the framework's real server, over a real local socket.
#include "eventtablemodel.h"
#include "inspectorclient.h"
#include "mortartest.h"

#include <mortar/app.h>

#include "app_p.h"
#include "inspectionserver_p.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Mortar::Inspector::InspectorClient;
using Mortar::Internal::InspectionServer;

class tst_InspectorClient : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_runtime;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QFile::setPermissions(m_runtime.path(),
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_runtime.path()));
        QLoggingCategory::setFilterRules(u"mortar.inspect.info=false"_s);
    }

    void followsAnAppThroughItsClose()
    {
        Mortar::App app({.label = u"followed"_s});
        app.hooks().add(u"pre_close"_s, [] {}, {.name = u"tidy up"_s});
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        QVERIFY(server.listen());

        InspectorClient client;
        QSignalSpy hello(&client, &InspectorClient::helloReceived);
        QSignalSpy snapshot(&client, &InspectorClient::snapshotReceived);
        QSignalSpy events(&client, &InspectorClient::eventsReceived);
        Mortar::Inspector::EventTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        connect(&client, &InspectorClient::eventsReceived, &model,
                &Mortar::Inspector::EventTableModel::appendEvents);

        QCOMPARE(InspectorClient::readToken(server.socketPath()), server.token());
        client.connectTo(server.socketPath(), InspectorClient::readToken(server.socketPath()));
        QTRY_COMPARE(hello.count(), 1);
        QCOMPARE(hello.at(0).at(0).value<QCborMap>().value(u"label"_s).toString(), u"followed"_s);
        QTRY_COMPARE(snapshot.count(), 1);
        QTRY_VERIFY(events.count() >= 1); // the backlog

        app.close();
        const auto sawCloseEnd = [&] {
            for (int row = 0; row < model.rowCount(); ++row) {
                if (model.event(row).kind == u"close.end"_s)
                    return true;
            }
            return false;
        };
        QTRY_VERIFY(sawCloseEnd());
        // Every event once, in order.
        for (int row = 1; row < model.rowCount(); ++row)
            QCOMPARE(model.event(row).seq, model.event(row - 1).seq + 1);
        QCOMPARE(model.rowCount(), int(app.trace().size()));
    }

    void liveEventsNameTheirHandlersOwner_data()
    {
        QTest::addColumn<bool>("addedDropped");
        QTest::newRow("handler.added in the trace") << false;
        // The trace's bound dropped it before the inspector attached: the snapshot tells.
        QTest::newRow("handler.added dropped") << true;
    }
    void liveEventsNameTheirHandlersOwner()
    {
        // The trace names a handler's owner and source on its handler.added only: what the
        // client hands on has them on the begin, as a trace file read back has.
        QFETCH(bool, addedDropped);
        Mortar::App app({.label = u"followed"_s});
        app.hooks().add(u"pre_close"_s, [] {}, {.weight = 3, .name = u"tidy up"_s});
        const auto hasAdded = [&] {
            const QList<Mortar::TraceEvent> events = app.trace().events();
            return std::any_of(events.begin(), events.end(), [](const Mortar::TraceEvent &e) {
                return e.kind == u"handler.added"_s && e.handler == u"tidy up"_s;
            });
        };
        if (addedDropped) {
            app.trace().setCapacity(1000);
            Mortar::TraceEvent filler;
            filler.kind = u"filler"_s;
            for (int i = 0; i < 1200; ++i)
                app.trace().record(filler);
            QVERIFY(!hasAdded());
        } else {
            QVERIFY(hasAdded());
        }
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        QVERIFY(server.listen());
        InspectorClient client;
        QList<Mortar::TraceEvent> received;
        connect(&client, &InspectorClient::eventsReceived,
                [&](const QList<Mortar::TraceEvent> &events) { received.append(events); });
        QSignalSpy snapshot(&client, &InspectorClient::snapshotReceived);
        client.connectTo(server.socketPath(), server.token());
        QTRY_COMPARE(snapshot.count(), 1);
        app.close();
        const auto find = [&](const QString &kind) -> const Mortar::TraceEvent * {
            for (const Mortar::TraceEvent &event : received) {
                if (event.kind == kind && event.handler == u"tidy up"_s)
                    return &event;
            }
            return nullptr;
        };
        QTRY_VERIFY(find(u"handler.end"_s));
        const Mortar::TraceEvent *begin = find(u"handler.begin"_s);
        QVERIFY(begin);
        QCOMPARE(begin->owner, u"followed"_s);
        QVERIFY2(begin->source.startsWith(u"tst_inspectorclient.cpp:"_s),
                 qPrintable(begin->source));
        QCOMPARE(begin->weight, std::optional<int>(3));
        QCOMPARE(find(u"handler.end"_s)->weight, std::optional<int>(3));
    }

    void asksTheAppToClose()
    {
        Mortar::App app({.label = u"followed"_s});
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        QVERIFY(server.listen());
        QSignalSpy requested(&server, &InspectionServer::closeRequested);
        InspectorClient client;
        QSignalSpy hello(&client, &InspectorClient::helloReceived);
        client.connectTo(server.socketPath(), server.token());
        QTRY_COMPARE(hello.count(), 1);
        client.requestClose();
        QTRY_COMPARE(requested.count(), 1);
    }

    void aWrongTokenEndsWithTheReason()
    {
        Mortar::App app({.label = u"followed"_s});
        InspectionServer server(Mortar::Internal::inspectedAppOf(app));
        QVERIFY(server.listen());
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"did not carry the token"_s));
        InspectorClient client;
        QSignalSpy disconnected(&client, &InspectorClient::disconnected);
        client.connectTo(server.socketPath(), u"wrong"_s);
        QTRY_COMPARE(disconnected.count(), 1);
        QCOMPARE(disconnected.at(0).at(0).toString(), u"invalid token"_s);
    }
};

MORTAR_TEST_MAIN(tst_InspectorClient)
#include "tst_inspectorclient.moc"
