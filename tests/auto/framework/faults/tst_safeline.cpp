// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// The fixed-buffer line of the forced-exit paths (asyncsafe_p.h): whatever a name holds and
// however long it is, a JSON string built with it stays valid JSON, cut at a character boundary.
#include "asyncsafe_p.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;
using Mortar::Internal::SafeLine;

class tst_SafeLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hostileNamesStayJson();
};

void tst_SafeLine::hostileNamesStayJson()
{
    const QString piece =
            u"q\"b\\c\t\x01\n\u00e4\u20ac"_s + QString::fromUcs4(U"\U0001F600", 1) + QChar(0x7f);
    QString name;
    while (name.size() < 3000)
        name += piece;
    // Every length, so that every cut point (inside an escape, a UTF-8 sequence, a surrogate
    // pair) is met; and the names as long as the final line may take, and longer.
    for (qsizetype length = 0; length <= name.size(); ++length) {
        QString shown = name.left(length);
        if (!shown.isEmpty() && shown.back().isHighSurrogate())
            shown.back() = QChar(0xfffd); // a lone surrogate is written as U+FFFD
        for (const size_t maxBytes : {size_t(160), size_t(480), size_t(4000)}) {
            SafeLine line;
            line.add("{\"seq\":").add(qint64(12)).add(",\"handler\":\"");
            line.add(shown, true, maxBytes).add("\",\"runningNs\":").add(qint64(5));
            line.finish("}\n");
            const QByteArray bytes(line.data(), qsizetype(line.size()));
            QJsonParseError error;
            const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
            QVERIFY2(document.isObject(),
                     qPrintable(
                             u"length %1, at most %2 bytes: %3: %4"_s.arg(length).arg(maxBytes).arg(
                                     error.errorString(), QString::fromUtf8(bytes))));
            QString decoded = document.object().value(u"handler"_s).toString();
            if (decoded != shown) {
                // Cut: a beginning of the name, marked with "...", within the bound.
                QVERIFY(decoded.endsWith(u"..."_s));
                decoded.chop(3);
                QVERIFY2(shown.startsWith(decoded), qPrintable(decoded));
                QVERIFY(decoded.toUtf8().size() <= qsizetype(maxBytes));
            }
        }
    }
}

QTEST_GUILESS_MAIN(tst_SafeLine)
#include "tst_safeline.moc"
