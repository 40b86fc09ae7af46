// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// HookTreeModel following a live app's registry (spec §10.1): the snapshot, then handler.added
// and handler.removed as they stream in — under QAbstractItemModelTester.
#include "hooktreemodel.h"

#include <QAbstractItemModelTester>
#include <QCborArray>
#include <QCborMap>
#include <QTest>

using namespace Qt::StringLiterals;
using Mortar::TraceEvent;
using Mortar::Inspector::HookTreeModel;

namespace {

TraceEvent traced(const QString &kind, const QString &handler, int weight, qint64 seq)
{
    TraceEvent e;
    e.kind = kind;
    e.seq = seq;
    e.hook = u"pre_close"_s;
    e.handler = handler;
    e.weight = weight;
    e.owner = u"app"_s;
    return e;
}

QCborMap snapshot()
{
    QCborArray handlers;
    for (const auto &[name, weight] :
         {std::pair{u"first"_s, -10}, std::pair{u"middle"_s, 0}, std::pair{u"last"_s, 10}}) {
        handlers.append(QCborMap{{u"name"_s, name}, {u"weight"_s, weight}, {u"owner"_s, u"app"_s}});
    }
    return {{u"type"_s, u"snapshot"_s},
            {u"hooks"_s,
             QCborArray{QCborMap{{u"name"_s, u"pre_close"_s}, {u"handlers"_s, handlers}}}}};
}

QStringList rows(const HookTreeModel &model)
{
    QStringList out;
    const QModelIndex hook = model.index(0, 0);
    for (int r = 0; r < model.rowCount(hook); ++r)
        out << model.index(r, HookTreeModel::Name, hook).data().toString() + u' '
                        + model.index(r, HookTreeModel::Status, hook).data().toString();
    return out;
}

} // namespace

class tst_HookTreeModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void followsTheRegistry()
    {
        HookTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(snapshot());
        QCOMPARE(rows(model),
                 (QStringList{u"first not run"_s, u"middle not run"_s, u"last not run"_s}));
        // The backlog repeats what the snapshot has: nothing changes.
        model.appendEvents({traced(u"handler.added"_s, u"middle"_s, 0, 1)});
        QCOMPARE(rows(model).size(), 3);

        // Added later, in one batch with other events: each where it runs (after its weight's
        // and lighter ones), before it has run.
        TraceEvent firstEnd = traced(u"handler.end"_s, u"first"_s, -10, 13);
        firstEnd.status = u"ok"_s;
        model.appendEvents({traced(u"handler.added"_s, u"heavy"_s, 20, 10),
                            traced(u"handler.begin"_s, u"first"_s, -10, 11),
                            traced(u"handler.added"_s, u"also zero"_s, 0, 12), firstEnd});
        QCOMPARE(rows(model),
                 (QStringList{u"first ok"_s, u"middle not run"_s, u"also zero not run"_s,
                              u"last not run"_s, u"heavy not run"_s}));

        // Removed: the row goes, also one that ran; the rest keep their state and order.
        model.appendEvents({traced(u"handler.removed"_s, u"middle"_s, 0, 14),
                            traced(u"handler.removed"_s, u"first"_s, -10, 15),
                            traced(u"handler.removed"_s, u"never there"_s, 0, 16)});
        QCOMPARE(rows(model),
                 (QStringList{u"also zero not run"_s, u"last not run"_s, u"heavy not run"_s}));
        // And the rows still map to their handlers: a run updates the right one.
        model.appendEvents({traced(u"handler.begin"_s, u"last"_s, 10, 17)});
        QCOMPARE(rows(model),
                 (QStringList{u"also zero not run"_s, u"last running"_s, u"heavy not run"_s}));
        QCOMPARE(model.index(0, HookTreeModel::Status).data().toString(), u"3 handlers"_s);
    }

    void fileIsUnchanged()
    {
        // From a file (no snapshot) a handler appears when it first ran, in run order.
        HookTreeModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        TraceEvent end = traced(u"handler.end"_s, u"ran"_s, 0, 3);
        end.status = u"ok"_s;
        model.appendEvents({traced(u"handler.added"_s, u"never ran"_s, -5, 0),
                            traced(u"handler.added"_s, u"ran"_s, 0, 1),
                            traced(u"handler.begin"_s, u"ran"_s, 0, 2), end,
                            traced(u"handler.removed"_s, u"ran"_s, 0, 4)});
        QCOMPARE(rows(model), (QStringList{u"ran ok"_s}));
    }
};

QTEST_GUILESS_MAIN(tst_HookTreeModel)
#include "tst_hooktreemodel.moc"
