// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "pluginselection_p.h"

#include <QTest>

using namespace Qt::StringLiterals;
using Mortar::PluginSelection;
using Mortar::Internal::PluginCandidate;
using Mortar::Internal::PluginPlan;

namespace {

// "a", "b>a" (b depends on a), "c*" (enabled by default), "d!" (its file is broken).
QList<PluginCandidate> candidates(const QStringList &specs)
{
    QList<PluginCandidate> list;
    for (QString spec : specs) {
        PluginCandidate candidate;
        if (spec.endsWith(u'*')) {
            candidate.info.enabledByDefault = true;
            spec.chop(1);
        }
        if (spec.endsWith(u'!')) {
            candidate.problem = u"the file is not a Qt plugin"_s;
            spec.chop(1);
        }
        const QStringList parts = spec.split(u'>');
        candidate.info.name = parts.first();
        candidate.info.depends = parts.mid(1);
        list.append(candidate);
    }
    return list;
}

QStringList wantedNames(const PluginPlan &plan)
{
    QStringList names;
    for (const PluginPlan::Wanted &wanted : plan.wanted)
        names.append(wanted.name);
    return names;
}

QStringList problemsOf(const PluginPlan &plan)
{
    QStringList problems;
    for (const PluginPlan::Wanted &wanted : plan.wanted) {
        if (!wanted.problem.isEmpty())
            problems.append(wanted.name + u": "_s + wanted.problem);
    }
    for (const PluginPlan::NotFound &missing : plan.notFound)
        problems.append(missing.error);
    return problems;
}

} // namespace

class tst_PluginSelection : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plan_data();
    void plan();
};

void tst_PluginSelection::plan_data()
{
    QTest::addColumn<QStringList>("found");
    QTest::addColumn<QStringList>("required");
    QTest::addColumn<QStringList>("enabled");  // --plugin
    QTest::addColumn<QStringList>("disabled"); // --no-plugin
    QTest::addColumn<QStringList>("config");   // "name=true|false"
    QTest::addColumn<QStringList>("loadOrder");
    QTest::addColumn<QStringList>("unwanted");
    QTest::addColumn<QString>("problem"); // a part of a problem expected, or empty for none

    const QStringList none;
    QTest::addRow("nothing asked, nothing loads")
            << QStringList{u"a"_s, u"b"_s} << none << none << none << none << none
            << QStringList{u"a"_s, u"b"_s} << QString();
    QTest::addRow("enabledByDefault loads")
            << QStringList{u"a*"_s, u"b"_s} << none << none << none << none << QStringList{u"a"_s}
            << QStringList{u"b"_s} << QString();
    QTest::addRow("config false beats enabledByDefault")
            << QStringList{u"a*"_s} << none << none << none << QStringList{u"a=false"_s} << none
            << QStringList{u"a"_s} << QString();
    QTest::addRow("--plugin beats config false")
            << QStringList{u"a"_s} << none << QStringList{u"a"_s} << none
            << QStringList{u"a=false"_s} << QStringList{u"a"_s} << none << QString();
    QTest::addRow("--no-plugin beats config true")
            << QStringList{u"a"_s} << none << none << QStringList{u"a"_s}
            << QStringList{u"a=true"_s} << none << QStringList{u"a"_s} << QString();
    QTest::addRow("dependencies first, ties by name")
            << QStringList{u"c>b"_s, u"b>a"_s, u"a"_s, u"z"_s} << QStringList{u"z"_s, u"c"_s}
            << none << none << none << QStringList{u"a"_s, u"b"_s, u"c"_s, u"z"_s} << none
            << QString();
    QTest::addRow("required and --no-plugin is an error")
            << QStringList{u"a"_s} << QStringList{u"a"_s} << none << QStringList{u"a"_s} << none
            << QStringList{u"a"_s} << none << u"Unable to disable plugin 'a' (--no-plugin)"_s;
    QTest::addRow("--plugin of an unknown name")
            << QStringList{u"a"_s} << none << QStringList{u"x"_s} << none << none << none
            << QStringList{u"a"_s} << u"Unable to load plugin 'x': no plugin of that name"_s;
    QTest::addRow("a cycle names the chain")
            << QStringList{u"a>b"_s, u"b>a"_s} << QStringList{u"a"_s} << none << none << none
            << none << none << u"a: plugin 'a' depends on 'b', which depends on 'a'"_s;
    QTest::addRow("a disabled dependency fails its dependent")
            << QStringList{u"b>a"_s, u"a"_s} << QStringList{u"b"_s} << none << none
            << QStringList{u"a=false"_s} << none << QStringList{u"a"_s}
            << u"b: plugin 'b' depends on 'a', which is disabled (disabled in test.conf)"_s;
    QTest::addRow("a broken dependency fails its dependent")
            << QStringList{u"b>a"_s, u"a!"_s} << QStringList{u"b"_s} << none << none << none << none
            << none << u"b: plugin 'b' depends on 'a', which cannot be loaded"_s;
}

void tst_PluginSelection::plan()
{
    QFETCH(QStringList, found);
    QFETCH(QStringList, required);
    QFETCH(QStringList, enabled);
    QFETCH(QStringList, disabled);
    QFETCH(QStringList, config);
    QFETCH(QStringList, loadOrder);
    QFETCH(QStringList, unwanted);
    QFETCH(QString, problem);

    PluginSelection selection{.required = required, .enabled = enabled, .disabled = disabled};
    for (const QString &entry : std::as_const(config)) {
        const QString name = entry.section(u'=', 0, 0);
        selection.config.insert(name, entry.section(u'=', 1) == u"true"_s);
        selection.configSources.insert(name, u"test.conf"_s);
    }
    const PluginPlan plan = Mortar::Internal::planPlugins(candidates(found), selection, u"/x"_s);

    QCOMPARE(plan.loadOrder, loadOrder);
    QCOMPARE(plan.unwanted, unwanted);
    const QStringList problems = problemsOf(plan);
    if (problem.isEmpty()) {
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    } else {
        const bool named = std::any_of(problems.cbegin(), problems.cend(),
                                       [&](const QString &each) { return each.contains(problem); });
        QVERIFY2(named, qPrintable(problems.join(u'\n')));
    }
    // Whatever is planned to load is wanted, and nothing wanted is also unwanted.
    for (const QString &name : std::as_const(plan.loadOrder))
        QVERIFY(wantedNames(plan).contains(name));
    for (const QString &name : std::as_const(plan.unwanted))
        QVERIFY(!wantedNames(plan).contains(name));
}

QTEST_GUILESS_MAIN(tst_PluginSelection)
#include "tst_pluginselection.moc"
