# Build: docker build -t minicloud .
# Run:   docker run -p 8090:8090 -v minicloud_data:/data -e MINICLOUD_ENV_ID=my-env minicloud
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/minicloud .

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /data minicloud && mkdir -p /data && chown minicloud /data
COPY --from=build /out/minicloud /usr/local/bin/minicloud
USER minicloud
VOLUME /data
EXPOSE 8090
ENTRYPOINT ["minicloud", "--dir", "/data"]
CMD ["serve", "--http", "0.0.0.0:8090"]
