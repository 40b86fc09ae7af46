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
