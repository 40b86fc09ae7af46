// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "eventtablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace Qt::StringLiterals;
using Mortar::TraceEvent;
using Mortar::Inspector::EventTableModel;

namespace {
QList<TraceEvent> batch(qint64 firstSeq, int count)
{
    QList<TraceEvent> events;
    for (int i = 0; i < count; ++i) {
        TraceEvent event;
        event.seq = firstSeq + i;
        event.t = (firstSeq + i) * 1000;
        event.thread = 1;
        event.kind = i % 2 ? u"handler.end"_s : u"handler.begin"_s;
        event.hook = u"pre_close"_s;
        event.handler = u"handler %1"_s.arg((firstSeq + i) / 2);
        if (i % 2) {
            event.status = (firstSeq + i) % 10 == 1 ? u"failed"_s : u"ok"_s;
            event.durationNs = 1500;
            if (event.status == u"failed"_s)
                event.error = u"disk full"_s;
        }
        events.append(event);
    }
    return events;
}
} // namespace

class tst_EventTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendsInBatches()
    {
        EventTableModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.appendEvents(batch(0, 100));
        model.appendEvents({});
        model.appendEvents(batch(100, 50));
        QCOMPARE(inserted.count(), 2); // one insertion per non-empty batch
        QCOMPARE(model.rowCount(), 150);
        QCOMPARE(model.columnCount(), int(EventTableModel::ColumnCount));
        QCOMPARE(model.data(model.index(101, EventTableModel::Seq)).toLongLong(), 101);
        QCOMPARE(model.data(model.index(1, EventTableModel::Status)).toString(), u"failed"_s);
        QCOMPARE(model.data(model.index(1, EventTableModel::Details)).toString(), u"disk full"_s);
        QCOMPARE(model.data(model.index(1, EventTableModel::Duration)).toString(), u"0.002"_s);
        QVERIFY(model.data(model.index(0, EventTableModel::Duration)).isNull());
        QCOMPARE(model.headerData(EventTableModel::Kind, Qt::Horizontal).toString(), u"kind"_s);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void filtersThroughAProxy()
    {
        EventTableModel model;
        model.appendEvents(batch(0, 1000));
        QSortFilterProxyModel proxy;
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        proxy.setSourceModel(&model);
        proxy.setFilterKeyColumn(EventTableModel::Status);
        proxy.setFilterFixedString(u"failed"_s);
        QCOMPARE(proxy.rowCount(), 100);
        model.appendEvents(batch(1000, 20)); // live batches arrive while filtered
        QCOMPARE(proxy.rowCount(), 102);
    }

    void aMillionEventsInBatches()
    {
        EventTableModel model;
        QElapsedTimer timer;
        timer.start();
        for (qint64 first = 0; first < 1'000'000; first += 10'000)
            model.appendEvents(batch(first, 10'000));
        QCOMPARE(model.rowCount(), 1'000'000);
        QCOMPARE(model.data(model.index(999'999, EventTableModel::Seq)).toLongLong(), 999'999);
        qDebug("1 000 000 events appended in %lld ms", timer.elapsed()); // information, not a limit
    }
};

QTEST_GUILESS_MAIN(tst_EventTableModel)
#include "tst_eventtablemodel.moc"
